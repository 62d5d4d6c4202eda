"""Cursors, leases and processed-message records in MongoDB: what lets replicas cooperate safely."""

from datetime import datetime, timedelta

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.adapters.mongo.client import Document
from shared.core.ports import PollCursor


class MongoCursorStore:
    """Poll cursors in ``poll_cursors``, one document per cursor key. Written by ingest only."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database["poll_cursors"]

    async def load(self, key: str) -> PollCursor | None:
        document = await self._collection.find_one({"_id": key})
        if document is None:
            return None
        return PollCursor(
            key=key,
            position=document["position"],
            token=document.get("token"),
            updated_at=document["updated_at"],
            published=document.get("published") or {},
        )

    async def save(self, cursor: PollCursor) -> None:
        await self._collection.replace_one(
            {"_id": cursor.key},
            {
                "position": cursor.position,
                "token": cursor.token,
                "updated_at": cursor.updated_at,
                "published": cursor.published,
            },
            upsert=True,
        )


class MongoLeaseStore:
    """Leases in ``leases``: one document per name holding the holder and its expiry.

    Acquisition is one conditional upsert: it matches the lease only if this holder already has it or
    it has lapsed; otherwise the upsert collides on ``_id`` and the unique index says no. No
    transactions needed, so it works on FerretDB too. Correctness relies on replicas' clocks agreeing
    to well within the TTL.
    """

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database["leases"]

    async def acquire(self, name: str, holder: str, *, ttl: timedelta, now: datetime) -> bool:
        try:
            document = await self._collection.find_one_and_update(
                {"_id": name, "$or": [{"holder": holder}, {"expires_at": {"$lte": now}}]},
                {"$set": {"holder": holder, "expires_at": now + ttl, "renewed_at": now}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False
        return document is not None and document["holder"] == holder

    async def release(self, name: str, holder: str) -> None:
        await self._collection.delete_one({"_id": name, "holder": holder})
