"""The sandbox's platform state in MongoDB: every imitated record, its history stamps, write counts.

One document per platform record (``sandbox_records``), one counter per id sequence
(``sandbox_counters``) and one counter per record written by API clients (``sandbox_write_counts``).
Only FerretDB-safe operations are used: unique indexes, upserts and ``find_one_and_update``.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import structlog
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from services.sandbox import stamping
from shared.core.model import System

log = structlog.get_logger(__name__)

# pymongo's documents are untyped JSON at this boundary.
Document = dict[str, Any]
WriteOrigin = str
"""Who made a change: ``"api"`` (a client's write), ``"scenario"`` or ``"admin"``."""


@dataclass(frozen=True)
class ChangeEvent:
    """One change to one platform record, as listeners (the webhook dispatcher) hear of it."""

    system: System
    object_type: str
    record_id: str
    kind: Literal["created", "updated", "deleted"]
    changed_fields: tuple[str, ...]
    occurred_at: datetime
    record: dict[str, object]
    write_origin: WriteOrigin


ChangeListener = Callable[[ChangeEvent], Awaitable[None]]


def record_key(system: System, object_type: str, record_id: str) -> str:
    """``"system:object_type:id"``: the key of write counts and of the records collection."""
    return f"{system}:{object_type}:{record_id}"


class SandboxStore:
    """Platform records of the three imitated systems, with change notification.

    Every write stamps the platform's last-modified field (see :mod:`services.sandbox.stamping`).
    Writes with ``emit=True`` are announced to every listener after they are stored; a failing
    listener is logged and never fails the write. ``emit=False`` is an out-of-band edit: the state
    and its stamp move, nobody hears of it (passive drift).
    """

    def __init__(self, database: AsyncDatabase[Document], *, clock: Callable[[], datetime]) -> None:
        self._records = database["sandbox_records"]
        self._counters = database["sandbox_counters"]
        self._writes = database["sandbox_write_counts"]
        self._clock = clock
        self._listeners: list[ChangeListener] = []
        # Updates read, merge and write back; one process serves the sandbox, so a lock makes them atomic.
        self._update_lock = asyncio.Lock()

    async def ensure_indexes(self) -> None:
        """Create the indexes the reads need; idempotent."""
        await self._records.create_index(
            [
                ("system", ASCENDING),
                ("object_type", ASCENDING),
                ("modified_at", ASCENDING),
                ("seq", ASCENDING),
            ],
            name="by_type_modified",
        )

    def add_listener(self, listener: ChangeListener) -> None:
        """Call ``listener`` after every change made with ``emit=True``."""
        self._listeners.append(listener)

    async def create(
        self,
        system: System,
        object_type: str,
        record: dict[str, object],
        *,
        emit: bool = True,
        origin: str = "api",
    ) -> dict[str, object]:
        """Store a new record with a platform-format id and stamps; returns it as the API shows it.

        Raises ``ValueError`` for an object type the sandbox does not serve.
        """
        _check_type(system, object_type)
        now = stamping.truncate(system, self._clock())
        created = await stamping.stamp_new(system, object_type, record, now, self._next)
        record_id = str(created["id"])
        seq = await self._next(f"seq:{system}:{object_type}")
        await self._records.insert_one(
            {
                "_id": record_key(system, object_type, record_id),
                "system": str(system),
                "object_type": object_type,
                "record_id": record_id,
                "seq": seq,
                "modified_at": now,
                "record": created,
            }
        )
        await self._after_write(system, object_type, record_id, origin)
        if emit:
            fields = _top_level_fields(system, created)
            await self._notify(
                ChangeEvent(system, object_type, record_id, "created", fields, now, created, origin)
            )
        return created

    async def update(
        self,
        system: System,
        object_type: str,
        record_id: str,
        changes: dict[str, object],
        *,
        emit: bool = True,
        origin: str = "api",
    ) -> dict[str, object]:
        """Apply ``changes`` (a partial record, see stamping) and re-stamp; raises ``KeyError`` if absent."""
        _check_type(system, object_type)
        async with self._update_lock:
            current = await self.get(system, object_type, record_id)
            if current is None:
                raise KeyError(record_key(system, object_type, record_id))
            now = stamping.truncate(system, self._clock())
            updated, changed = await stamping.apply_changes(
                system, object_type, current, changes, now=now, allocate=self._next
            )
            await self._records.update_one(
                {"_id": record_key(system, object_type, record_id)},
                {"$set": {"record": updated, "modified_at": now}},
            )
        await self._after_write(system, object_type, record_id, origin)
        if emit:
            await self._notify(
                ChangeEvent(system, object_type, record_id, "updated", changed, now, updated, origin)
            )
        return updated

    async def delete(
        self, system: System, object_type: str, record_id: str, *, emit: bool = True, origin: str = "api"
    ) -> None:
        """Remove a record; raises ``KeyError`` if absent. Listeners get its last state."""
        key = record_key(system, object_type, record_id)
        document = await self._records.find_one_and_delete({"_id": key})
        if document is None:
            raise KeyError(key)
        await self._after_write(system, object_type, record_id, origin)
        if emit:
            now = stamping.truncate(system, self._clock())
            record: dict[str, object] = document["record"]
            await self._notify(
                ChangeEvent(system, object_type, record_id, "deleted", (), now, record, origin)
            )

    async def get(self, system: System, object_type: str, record_id: str) -> dict[str, object] | None:
        """The record as the platform's API returns it, or ``None``."""
        document = await self._records.find_one({"_id": record_key(system, object_type, record_id)})
        return None if document is None else dict(document["record"])

    async def all(self, system: System, object_type: str) -> list[dict[str, object]]:
        """Every record of the type, ordered by last-modified time, then by creation order."""
        cursor = self._records.find({"system": str(system), "object_type": object_type}).sort(
            [("modified_at", ASCENDING), ("seq", ASCENDING)]
        )
        return [dict(document["record"]) async for document in cursor]

    async def write_counts(self) -> dict[str, int]:
        """``"system:object_type:id"`` -> number of writes API clients made to that record."""
        return {str(document["_id"]): int(document["count"]) async for document in self._writes.find({})}

    async def ping(self) -> None:
        """Round-trip to the database; raises the driver's error when it does not answer."""
        await self._records.database.command("ping")

    async def reset(self) -> None:
        """Forget every record, counter and write count (ids start again from the same bases)."""
        for collection in (self._records, self._counters, self._writes):
            await collection.delete_many({})

    async def _next(self, counter: str) -> int:
        document = await self._counters.find_one_and_update(
            {"_id": counter}, {"$inc": {"value": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        if document is None:  # an upsert with ReturnDocument.AFTER always returns the document
            raise RuntimeError(f"counter {counter} was not created")
        return int(document["value"])

    async def _after_write(self, system: System, object_type: str, record_id: str, origin: str) -> None:
        if origin == "api":
            key = record_key(system, object_type, record_id)
            await self._writes.update_one({"_id": key}, {"$inc": {"count": 1}}, upsert=True)

    async def _notify(self, event: ChangeEvent) -> None:
        for listener in self._listeners:
            try:
                await listener(event)
            except Exception:
                # A webhook problem must never fail (or roll back) the platform write that caused it.
                log.exception("sandbox_listener_failed", system=str(event.system), record_id=event.record_id)


def _check_type(system: System, object_type: str) -> None:
    if object_type not in stamping.OBJECT_TYPES[system]:
        raise ValueError(f"{system} has no object type {object_type!r}")


def _top_level_fields(system: System, record: dict[str, object]) -> tuple[str, ...]:
    if system is System.HUBSPOT:
        properties = record.get("properties")
        return tuple(properties) if isinstance(properties, dict) else ()
    return tuple(record)
