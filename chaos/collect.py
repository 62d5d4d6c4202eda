"""Reads what the verdict compares: the sandbox's records and write counts, and Concord's snapshots,
discrepancy episodes and sync commands from the run's database."""

from __future__ import annotations

from collections.abc import Collection

from pymongo import AsyncMongoClient

from chaos.ground_truth import CommandRow, EpisodeRow, RecordState
from chaos.sandbox import SandboxAdmin, customer_key, record_state
from shared.core.model import System
from shared.core.sync import FINAL_STATES

Document = dict[str, object]


class Collector:
    """One run's two sources of truth: the sandbox (``admin``) and Concord's database."""

    def __init__(self, admin: SandboxAdmin, mongo_uri: str, database: str) -> None:
        self._admin = admin
        self._mongo: AsyncMongoClient[Document] = AsyncMongoClient(
            mongo_uri, serverSelectionTimeoutMS=5000, tz_aware=True
        )
        self._database = self._mongo[database]

    async def close(self) -> None:
        await self._mongo.close()

    async def truth(self, keys: Collection[str]) -> dict[str, RecordState]:
        """The sandbox's current state of each record key (``system:object_type:id``)."""
        wanted = set(keys)
        found: dict[str, RecordState] = {}
        for system in sorted({System(key.split(":", 1)[0]) for key in wanted}):
            for record in await self._admin.customers(system):
                key = customer_key(system, str(record["id"]))
                if key in wanted:
                    found[key] = record_state(system, record)
        return found

    async def stored(self, keys: Collection[str]) -> dict[str, RecordState]:
        """Concord's stored snapshot of each key, where there is one."""
        cursor = self._database["snapshots"].find({"_id": {"$in": sorted(keys)}}, {"snapshot": 1})
        found: dict[str, RecordState] = {}
        async for document in cursor:
            snapshot = document["snapshot"]
            assert isinstance(snapshot, dict)  # noqa: S101 - the repository stores the snapshot's JSON
            values = snapshot.get("values")
            marker = values.get("last_name") if isinstance(values, dict) else None
            found[str(document["_id"])] = RecordState(
                version=str(snapshot.get("source_version") or ""),
                marker=None if marker is None else str(marker),
            )
        return found

    async def episodes(self) -> list[EpisodeRow]:
        """Every discrepancy episode (open or not) with the check that found it."""
        cursor = self._database["discrepancies"].find(
            {}, {"entity_id": 1, "dimension": 1, "status": 1, "document.finding.check": 1}
        )
        rows = []
        async for document in cursor:
            inner = document.get("document")
            finding = inner.get("finding") if isinstance(inner, dict) else None
            check = finding.get("check") if isinstance(finding, dict) else None
            rows.append(
                EpisodeRow(
                    entity_id=str(document["entity_id"]),
                    dimension=str(document["dimension"]),
                    check=str(check),
                    status=str(document["status"]),
                )
            )
        return rows

    async def commands(self) -> list[CommandRow]:
        """Every sync command the syncer stored, with the record keys it reports written.

        Read from the stored JSON, not through ``CommandRecord``: a syncer built from newer code may store
        fields this process's model does not know yet, and only the state and the writes matter here.
        """
        final_states = {state.value for state in FINAL_STATES}
        rows = []
        async for document in self._database["sync_commands"].find({}, {"record": 1}):
            record = document["record"]
            assert isinstance(record, dict)  # noqa: S101 - the command store saves the record's JSON
            command = record["command"]
            state = str(record["state"])
            rows.append(
                CommandRow(
                    command_id=str(command["command_id"]),
                    state=state,
                    final=state in final_states,
                    results_published=bool(record.get("results_published")),
                    written_keys=_written_keys(record.get("writes")),
                )
            )
        return rows

    async def write_counts(self) -> dict[str, int]:
        return await self._admin.write_counts()


def _written_keys(writes: object) -> tuple[str, ...]:
    """``ExternalRef.key`` of every write the record reports done."""
    keys = []
    for write in writes if isinstance(writes, list) else []:
        ref = write.get("ref") if isinstance(write, dict) else None
        if isinstance(ref, dict) and write.get("done_at"):
            keys.append(f"{ref['system']}:{ref['object_type']}:{ref['external_id']}")
    return tuple(keys)
