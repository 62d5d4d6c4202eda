"""Sync commands and their audit trail in ``sync_commands``; the syncer is the only writer.

One document per command, ``_id`` = command id: the command as approved, its state, every attempt
and every write with before- and after-images (``shared.core.sync.CommandRecord`` as JSON, plus a
few top-level fields the dashboard queries by). A unique index on ``idempotency_key`` makes a
re-submitted approval a recognised duplicate. ``next_attempt_at`` (top level) lets the retry scheduler
find due ``retrying`` commands without reading every record. Saves are compare-and-set on ``revision``: only
whole-document replaces, which FerretDB supports as MongoDB does.
"""

from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.adapters.mongo.client import Document
from shared.core.events import SyncCommand
from shared.core.sync import Admission, CommandRecord, CommandState, ConcurrentUpdate

COLLECTION = "sync_commands"


async def ensure_command_indexes(database: AsyncDatabase[Document]) -> None:
    """Create the idempotency and listing indexes (idempotent)."""
    commands = database[COLLECTION]
    await commands.create_index([("idempotency_key", ASCENDING)], unique=True, name="idempotency_key")
    await commands.create_index([("state", ASCENDING), ("updated_at", DESCENDING)], name="by_state")
    await commands.create_index([("entity_id", ASCENDING), ("updated_at", DESCENDING)], name="by_entity")
    await commands.create_index([("state", ASCENDING), ("next_attempt_at", ASCENDING)], name="retry_due")


class MongoCommandStore:
    """``shared.core.sync.CommandStore`` on MongoDB."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database[COLLECTION]

    async def admit(self, command: SyncCommand, *, at: datetime) -> Admission:
        existing = await self.get(command.command_id)
        if existing is not None:
            return Admission(record=existing, new=False)
        record = CommandRecord(command=command, received_at=at, updated_at=at)
        try:
            await self._collection.insert_one({"_id": command.command_id, **_document_of(record)})
        except DuplicateKeyError:
            return await self._duplicate(command, record)
        return Admission(record=record, new=True)

    async def _duplicate(self, command: SyncCommand, record: CommandRecord) -> Admission:
        # Lost a race with another delivery of the same command, or another command has this key.
        same = await self.get(command.command_id)
        if same is not None:
            return Admission(record=same, new=False)
        other = await self._collection.find_one({"idempotency_key": command.idempotency_key}, {"_id": 1})
        return Admission(record=record, new=False, duplicate_of=str(other["_id"]) if other else None)

    async def get(self, command_id: str) -> CommandRecord | None:
        document = await self._collection.find_one({"_id": command_id})
        return None if document is None else CommandRecord.model_validate(document["record"])

    async def due_retries(self, now: datetime, *, limit: int) -> list[CommandRecord]:
        cursor = (
            self._collection.find({"state": CommandState.RETRYING.value, "next_attempt_at": {"$lte": now}})
            .sort([("next_attempt_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [CommandRecord.model_validate(document["record"]) async for document in cursor]

    async def save(self, record: CommandRecord) -> CommandRecord:
        saved = record.model_copy(update={"revision": record.revision + 1})
        result = await self._collection.replace_one(
            {"_id": record.command_id, "revision": record.revision},
            {"_id": record.command_id, **_document_of(saved)},
        )
        if result.matched_count != 1:
            raise ConcurrentUpdate(f"command {record.command_id} changed since revision {record.revision}")
        return saved


def _document_of(record: CommandRecord) -> Document:
    command = record.command
    return {
        "idempotency_key": command.idempotency_key,
        "revision": record.revision,
        "state": record.state.value,
        "entity_id": command.entity_id,
        "dimension": command.dimension,
        "discrepancy_id": command.discrepancy_id,
        "approved_by": command.approved_by,
        "action": command.action.kind,
        "updated_at": record.updated_at,
        "last_error": record.last_error,
        "next_attempt_at": record.next_attempt_at,
        "record": record.model_dump(mode="json"),
    }


__all__ = ["COLLECTION", "MongoCommandStore", "ensure_command_indexes"]
