"""``processed_messages`` read and written per batch: the idempotency record of batch consumers.

One document per (consumer, message id), ``_id`` ``consumer:message_id``, so a record is unique by
construction and every consumer of every service shares the collection.
"""

from collections.abc import Collection
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.bulk import find_by_ids, insert_ignoring_duplicates
from shared.adapters.mongo.client import Document


def _id(consumer: str, message_id: str) -> str:
    return f"{consumer}:{message_id}"


class MongoProcessedLedger:
    """``ports.ProcessedLedger`` on MongoDB: point lookups to filter, one bulk insert to record."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database["processed_messages"]

    async def already_processed(self, consumer: str, message_ids: Collection[str]) -> frozenset[str]:
        if not message_ids:
            return frozenset()
        ids = {_id(consumer, message_id): message_id for message_id in message_ids}
        found = await find_by_ids(self._collection, list(ids), {"_id": 1})
        return frozenset(ids[document["_id"]] for document in found)

    async def mark_processed(self, consumer: str, message_ids: Collection[str], *, at: datetime) -> None:
        documents = [
            {"_id": _id(consumer, message_id), "consumer": consumer, "message_id": message_id, "at": at}
            for message_id in dict.fromkeys(message_ids)
        ]
        await insert_ignoring_duplicates(self._collection, documents)


__all__ = ["MongoProcessedLedger"]
