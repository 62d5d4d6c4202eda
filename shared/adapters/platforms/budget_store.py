"""The API budget's documents in MongoDB: window counters, leaky buckets and expiring leases.

One collection, documents keyed ``<system>:<account>:<limit>[:<slot>]``. Only operations FerretDB
1.24 supports: ``update_one`` with upsert and ``$inc``/``$setOnInsert``, ``find_one_and_update``
with a conditional filter (compare-and-swap, lease claim), ``delete_many``. Expired slots are
pruned by the budget, leases expire by timestamp, so no TTL index is needed.
"""

import contextlib
from collections.abc import Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

# pymongo documents are untyped at this boundary.
Document = dict[str, Any]


class MongoBudgetStore:
    """The budget's documents in one collection (``_id`` = scope + limit + slot)."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection
        self._prepared: set[str] = set()

    async def add(self, key: str, scope: str, slot: int, delta: int) -> None:
        update = {"$inc": {"n": delta}, "$setOnInsert": {"scope": scope, "slot": slot}}
        try:
            await self._collection.update_one({"_id": key}, update, upsert=True)
        except DuplicateKeyError:
            # Two processes upserted a new slot at once and the other one inserted it: it exists now.
            await self._collection.update_one({"_id": key}, update, upsert=True)

    async def total(self, keys: Sequence[str]) -> int:
        counts = [int(doc.get("n", 0)) async for doc in self._collection.find({"_id": {"$in": list(keys)}})]
        return sum(counts)

    async def prune(self, scope: str, below_slot: int) -> None:
        await self._collection.delete_many({"scope": scope, "slot": {"$lt": below_slot}})

    async def load_bucket(self, key: str, now: float) -> tuple[float, float, int]:
        """(level, stamped at, revision), creating an empty bucket on first use."""
        doc = await self._collection.find_one({"_id": key})
        if doc is None:
            await self._upsert_quietly(key, {"level": 0.0, "at": now, "rev": 0})
            doc = await self._collection.find_one({"_id": key}) or {}
        return float(doc.get("level", 0.0)), float(doc.get("at", now)), int(doc.get("rev", 0))

    async def swap_bucket(self, key: str, rev: int, level: float, at: float) -> bool:
        """Set the bucket if nobody changed it since ``rev`` was read; whether it was set."""
        doc = await self._collection.find_one_and_update(
            {"_id": key, "rev": rev}, {"$set": {"level": level, "at": at}, "$inc": {"rev": 1}}
        )
        return doc is not None

    async def claim_lease(self, keys: Sequence[str], holder: str, now: float, until: float) -> str | None:
        """Take any free or lapsed lease among ``keys``; its key, or None if all are held."""
        for key in keys:
            if key not in self._prepared:
                await self._upsert_quietly(key, {"holder": None, "until": 0.0})
                self._prepared.add(key)
        doc = await self._collection.find_one_and_update(
            {"_id": {"$in": list(keys)}, "$or": [{"holder": None}, {"until": {"$lt": now}}]},
            {"$set": {"holder": holder, "until": until}},
            return_document=ReturnDocument.AFTER,
        )
        return None if doc is None else str(doc["_id"])

    async def release_lease(self, key: str, holder: str) -> None:
        await self._collection.update_one(
            {"_id": key, "holder": holder}, {"$set": {"holder": None, "until": 0.0}}
        )

    async def leases_held(self, keys: Sequence[str], now: float) -> int:
        return await self._collection.count_documents(
            {"_id": {"$in": list(keys)}, "holder": {"$ne": None}, "until": {"$gte": now}}
        )

    async def _upsert_quietly(self, key: str, initial: Document) -> None:
        # Another process may create it between our read and our upsert.
        with contextlib.suppress(DuplicateKeyError):
            await self._collection.update_one({"_id": key}, {"$setOnInsert": initial}, upsert=True)
