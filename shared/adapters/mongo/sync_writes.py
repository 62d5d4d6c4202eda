"""Concord's own platform writes in ``sync_writes``: logged by the syncer, read by the checker.

One document per write, ``_id`` = ``write_id``. The syncer is the writing service
(:class:`MongoSyncWriteRecorder`: record before writing, confirm the resulting version after);
the checker reads (:class:`MongoSyncWriteLog`) and sets only ``verified_at`` /
``verified_by_observation`` on a write whose echo it recognised. Both writes are idempotent: a
write id recorded twice keeps the first record, and the first verification wins.
"""

from collections.abc import Collection
from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.adapters.mongo.client import Document
from shared.core.model import EntityId, ExternalRef
from shared.core.ports import ExpectedWrite

COLLECTION = "sync_writes"


async def ensure_sync_write_indexes(database: AsyncDatabase[Document]) -> None:
    """Create the index ``recent_for`` uses (idempotent)."""
    await database[COLLECTION].create_index(
        [("ref_key", ASCENDING), ("written_at", DESCENDING)], name="ref_recent"
    )


class MongoSyncWriteRecorder:
    """The syncer's side of the log."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database[COLLECTION]

    async def record_expected_write(self, write: ExpectedWrite) -> bool:
        """Log ``write`` before it is made; False if this write id was already logged (kept as first logged)."""
        try:
            await self._collection.insert_one({"_id": write.write_id, **_document_of(write)})
        except DuplicateKeyError:
            return False
        return True

    async def confirm_write(self, write_id: str, *, resulting_version: str | None) -> None:
        """After the platform accepted the write: the version it reported (first confirmation wins)."""
        await self._collection.update_one(
            {"_id": write_id, "resulting_version": None}, {"$set": {"resulting_version": resulting_version}}
        )


class MongoSyncWriteLog:
    """``ports.SyncWriteLog`` on MongoDB: the checker's side."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database[COLLECTION]

    async def recent_for(self, ref: ExternalRef, *, since: datetime) -> list[ExpectedWrite]:
        cursor = self._collection.find({"ref_key": ref.key, "written_at": {"$gte": since}}).sort(
            [("written_at", DESCENDING), ("_id", DESCENDING)]
        )
        return [_write_of(document) async for document in cursor]

    async def recent_for_many(
        self, refs: Collection[ExternalRef], *, since: datetime
    ) -> dict[str, list[ExpectedWrite]]:
        # One read for a whole batch: FerretDB scans for any query not by ``_id``, once per query.
        if not refs:
            return {}
        query = {"ref_key": {"$in": sorted({ref.key for ref in refs})}, "written_at": {"$gte": since}}
        cursor = self._collection.find(query).sort([("written_at", DESCENDING), ("_id", DESCENDING)])
        found: dict[str, list[ExpectedWrite]] = {}
        async for document in cursor:
            found.setdefault(str(document["ref_key"]), []).append(_write_of(document))
        return found

    async def mark_verified(self, write_id: str, *, at: datetime, observation_id: str) -> None:
        """Set ``verified_at`` once; a redelivered echo or an unknown write id changes nothing."""
        await self._collection.update_one(
            {"_id": write_id, "verified_at": None},
            {"$set": {"verified_at": at, "verified_by_observation": observation_id}},
        )


def _document_of(write: ExpectedWrite) -> Document:
    return {
        "command_id": write.command_id,
        "ref_key": write.ref.key,
        "ref": write.ref.model_dump(mode="json"),
        "entity_id": write.entity_id,
        "expected": dict(write.expected),
        "provenance_tag": write.provenance_tag,
        "written_at": write.written_at,
        "resulting_version": write.resulting_version,
        "verified_at": write.verified_at,
    }


def _write_of(document: Document) -> ExpectedWrite:
    return ExpectedWrite(
        write_id=document["_id"],
        command_id=document["command_id"],
        ref=ExternalRef.model_validate(document["ref"]),
        entity_id=EntityId(document["entity_id"]),
        expected=document["expected"],
        provenance_tag=document["provenance_tag"],
        written_at=document["written_at"],
        resulting_version=document.get("resulting_version"),
        verified_at=document.get("verified_at"),
    )


__all__ = ["COLLECTION", "MongoSyncWriteLog", "MongoSyncWriteRecorder", "ensure_sync_write_indexes"]
