"""The API budget's documents in MongoDB: window counters, leaky buckets and expiring leases.

One collection, documents keyed ``<system>:<account>:<limit>[:<slot>]``. FerretDB 1.24 applies
updates as unisolated read-modify-writes (concurrent ``$inc``s on one document are lost, and a
conditional update is no compare-and-swap); its one atomic write is an insert colliding on
``_id``. So a window counter is one document per process, written by that process alone (its
writes serialised in memory) and summed on read, and a concurrency lease is claimed by inserting
it and freed by deleting it. The leaky bucket is still a compare-and-swap on one document, which
FerretDB does not make atomic: replicas contending for one bucket can overspend it, and the
platform's 429 is then counted (``record_throttled``) and retried. Expired slots are pruned by the
budget, leases expire by timestamp, so no TTL index is needed.
"""

import asyncio
import contextlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.adapters.mongo.bulk import find_by_ids

# pymongo documents are untyped at this boundary.
Document = dict[str, Any]


class MongoBudgetStore:
    """The budget's documents in one collection (``_id`` = scope + limit + slot)."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection
        self._process = uuid.uuid4().hex[:12]
        self._counts: dict[str, int] = defaultdict(int)
        self._counting = asyncio.Lock()

    async def add(self, key: str, scope: str, slot: int, delta: int) -> None:
        """Add ``delta`` to this process's count in window slot ``key``."""
        async with self._counting:  # one writer per document, and its writes in order
            self._counts[key] += delta
            await self._collection.update_one(
                {"_id": f"{key}|{self._process}"},
                {"$set": {"counter": key, "scope": scope, "slot": slot, "n": self._counts[key]}},
                upsert=True,
            )

    async def total(self, keys: Sequence[str]) -> int:
        """Every process's count in the slots ``keys`` (a scan, of a collection of a few hundred documents)."""
        counts = [
            int(doc.get("n", 0)) async for doc in self._collection.find({"counter": {"$in": list(keys)}})
        ]
        return sum(counts)

    async def prune(self, scope: str, below_slot: int) -> None:
        await self._collection.delete_many({"scope": scope, "slot": {"$lt": below_slot}})
        async with self._counting:
            for key in [k for k in self._counts if k.startswith(f"{scope}:")]:
                if int(key.rsplit(":", 1)[1]) < below_slot:
                    del self._counts[key]

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
        for _ in range(len(keys) + 1):  # a round that lost every free lease to others reads again
            held = {str(doc["_id"]): float(doc["until"]) for doc in await find_by_ids(self._collection, keys)}
            free = [key for key in keys if held.get(key, now - 1) < now]
            if not free:
                return None
            for key in free:
                if key in held:  # lapsed: its holder died holding it
                    await self._collection.delete_one({"_id": key, "until": held[key]})
                with contextlib.suppress(DuplicateKeyError):  # another caller took it first
                    await self._collection.insert_one({"_id": key, "holder": holder, "until": until})
                    return key
        return None

    async def release_lease(self, key: str, holder: str) -> None:
        await self._collection.delete_one({"_id": key, "holder": holder})

    async def _upsert_quietly(self, key: str, initial: Document) -> None:
        # Another process may create it between our read and our upsert.
        with contextlib.suppress(DuplicateKeyError):
            await self._collection.update_one({"_id": key}, {"$setOnInsert": initial}, upsert=True)
