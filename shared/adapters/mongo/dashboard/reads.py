"""Reads of the dashboard over collections other services write (it never writes them).

Per-entity reads are by ``_id`` (served by FerretDB's primary key). The inbox is the one scan, of the
small ``inbox_rows`` documents the checker keeps beside each episode: the dashboard runs it in the
background and answers the inbox from memory (see ``shared.core.dashboard.inbox``).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.bulk import find_by_ids
from shared.adapters.mongo.check_priorities import MongoCheckPriorities
from shared.adapters.mongo.check_state import MongoCheckStateStore
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.commands import COLLECTION as COMMANDS
from shared.adapters.mongo.commands import MongoCommandStore
from shared.adapters.mongo.discrepancies import INBOX_ROWS
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.adapters.mongo.pulse_sweeps import MongoPulseSweepLog
from shared.adapters.mongo.snapshots import MongoSnapshotRepository
from shared.core.dashboard.inbox import InboxRow
from shared.core.discrepancy import Discrepancy, discrepancy_id
from shared.core.model import EntityId, System
from shared.core.ports import PollCursor
from shared.core.repositories import Link, LinkProposal
from shared.core.sync import CommandRecord
from shared.core.sync.model import AnySnapshot
from shared.core.verification import PulseSweep, VerificationState


@dataclass(frozen=True)
class EntityRecords:
    """Everything stored about one entity that the entity view shows."""

    entity_id: EntityId
    links: tuple[Link, ...] = ()
    snapshots: tuple[AnySnapshot, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    """Every episode of every dimension, newest episode first per dimension."""
    states: tuple[VerificationState, ...] = ()
    proposals: tuple[LinkProposal, ...] = ()
    commands: tuple[CommandRecord, ...] = field(default=())
    merged_into: EntityId | None = None
    """The entity this one was merged into (after every merge), when linking found them one."""


class DashboardReader:
    """Read-only queries of the dashboard."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._database = database
        self._entities = MongoEntityRepository(database)
        self._snapshots = MongoSnapshotRepository(database)
        self._states = MongoCheckStateStore(database)
        self._priorities = MongoCheckPriorities(database)
        self._sweeps = MongoPulseSweepLog(database)
        self._commands = MongoCommandStore(database)

    async def open_discrepancies(self) -> list[Discrepancy]:
        """Every open discrepancy episode (a full scan: call it off the render path)."""
        cursor = self._database["discrepancies"].find({"status": "open"}, {"document": 1})
        return [Discrepancy.model_validate(document["document"]) async for document in cursor]

    async def open_inbox_rows(self) -> list[InboxRow]:
        """The inbox row of every open discrepancy (a scan of ``inbox_rows``: call it off the render
        path)."""
        cursor = self._database[INBOX_ROWS].find({"open": True}, {"row": 1})
        return [InboxRow.model_validate(document["row"]) async for document in cursor]

    async def discrepancy(self, lifecycle_id: str) -> Discrepancy | None:
        """One episode by its lifecycle id (``Discrepancy.id``)."""
        document = await self._database["discrepancies"].find_one({"_id": lifecycle_id}, {"document": 1})
        return None if document is None else Discrepancy.model_validate(document["document"])

    async def entity(self, entity_id: EntityId) -> EntityRecords:
        """The entity's links, snapshots, discrepancy episodes, check states, proposals and commands."""
        links = (await self._entities.links_of_entities([entity_id])).get(entity_id, [])
        snapshots = await self._snapshots.load_many([link.ref.key for link in links])
        episodes = await self._episodes(entity_id)
        dimensions = sorted({d.dimension for d in episodes})
        states = [await self._states.load(entity_id, dimension) for dimension in dimensions]
        raised = await self._priorities.raised()  # small: only the pairs an operator raised
        proposals = (await self._entities.proposals_for([entity_id])).get(entity_id, [])
        return EntityRecords(
            entity_id=entity_id,
            links=tuple(links),
            snapshots=tuple(snapshots[key] for key in sorted(snapshots)),
            discrepancies=tuple(episodes),
            states=tuple(
                state.with_priority_override(raised.get((entity_id, state.dimension)))
                for state in states
                if state is not None
            ),
            proposals=tuple(proposals),
            commands=tuple(await self.commands_of(entity_id)),
            merged_into=(await self._entities.survivors([entity_id])).get(entity_id),
        )

    async def last_pulse_sweep(self) -> PulseSweep | None:
        """What the pulse's latest sweep found and did (one read by ``_id``)."""
        return await self._sweeps.latest()

    async def _episodes(self, entity_id: EntityId) -> list[Discrepancy]:
        head = await self._database["discrepancy_heads"].find_one({"_id": entity_id})
        episodes: dict[str, int] = dict(head.get("episodes", {})) if head else {}
        ids = [
            discrepancy_id(entity_id, dim, n) for dim, last in episodes.items() for n in range(1, last + 1)
        ]
        documents = await find_by_ids(self._database["discrepancies"], ids, {"document": 1})
        found = [Discrepancy.model_validate(document["document"]) for document in documents]
        return sorted(found, key=lambda d: (d.dimension, -d.episode))

    async def command(self, command_id: str) -> CommandRecord | None:
        """The syncer's record of one command (``None`` until the syncer admitted it)."""
        return await self._commands.get(command_id)

    async def commands_of(self, entity_id: EntityId, limit: int = 20) -> list[CommandRecord]:
        """The entity's latest commands, newest first."""
        cursor = self._database[COMMANDS].find({"entity_id": entity_id}, {"record": 1})
        cursor = cursor.sort("updated_at", DESCENDING).limit(limit)
        return [CommandRecord.model_validate(document["record"]) async for document in cursor]

    async def recent_failures(self, limit: int = 20) -> list[CommandRecord]:
        """Commands that ended rejected or dead, or failed their last attempt, newest first."""
        query = {"state": {"$in": ["rejected", "dead", "failed", "retrying"]}}
        cursor = self._database[COMMANDS].find(query, {"record": 1}).sort("updated_at", DESCENDING)
        return [CommandRecord.model_validate(document["record"]) async for document in cursor.limit(limit)]

    async def poll_cursors(self) -> list[PollCursor]:
        """Every poll cursor of ingest (a handful of documents)."""
        cursor = self._database["poll_cursors"].find({})
        return [
            PollCursor(key=d["_id"], position=d["position"], token=d.get("token"), updated_at=d["updated_at"])
            async for d in cursor
        ]

    async def newest_observations(self, systems: Sequence[System]) -> dict[System, datetime | None]:
        """Per platform, when its newest stored snapshot was observed."""
        newest: dict[System, datetime | None] = {}
        for system in systems:
            cursor = self._database["snapshots"].find({"system": system.value}, {"observed_at": 1})
            found = [d async for d in cursor.sort("observed_at", DESCENDING).limit(1)]
            newest[system] = found[0]["observed_at"] if found else None
        return newest


__all__ = ["DashboardReader", "EntityRecords"]
