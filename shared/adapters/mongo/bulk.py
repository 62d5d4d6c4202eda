"""Bulk writes that stay inside what FerretDB 1.24 supports (no transactions, no upsert collisions in bulk).

FerretDB answers a bulk ``update`` whose upsert collides on ``_id`` with a reply pymongo cannot read,
so a guarded upsert is done in two bulk steps: insert every document (duplicates are expected and
ignored), then update the ones that already existed, guarded by a filter. A document the guard
rejects (a newer version is stored) is left as it is.
"""

import asyncio
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.adapters.mongo.client import Document

DUPLICATE_KEY = 11000

MAX_BULK_STATEMENTS = 10
"""FerretDB 1.24 (SQLite) deadlocks once about 100 statements are in flight on one database (one
bulk ``update`` of 100 is enough, so are several concurrent smaller ones from replicas); every bulk
write here is sent in chunks of at most this many, and reads are bounded by :data:`POINT_LOOKUPS`."""


@dataclass(frozen=True)
class GuardedWrite:
    """Write ``document`` under ``_id``: insert it, or overwrite the stored one if it matches ``guard``."""

    id: str
    document: Document
    guard: Mapping[str, object] = field(default_factory=dict)


POINT_LOOKUPS = 8
"""Ids are read with one ``find_one`` each, this many at a time: FerretDB serves an ``_id`` equality
from its primary key but scans the whole collection for ``_id: {$in: [...]}``, which costs more the
more the collection holds (the processed-message ledger grows with every message)."""

POINT_LOOKUP_LIMIT = 256
"""More ids than this are read with one ``$in``: waves of point lookups would cost more round trips
than one scan of any collection that size is likely to be in."""


async def find_by_ids(
    collection: AsyncCollection[Document], ids: Collection[str], projection: Mapping[str, int] | None = None
) -> list[Document]:
    """The stored documents among ``ids`` (any order): waves of point lookups, one ``$in`` for very many."""
    if not ids:
        return []
    if len(ids) > POINT_LOOKUP_LIMIT:
        return [document async for document in collection.find({"_id": {"$in": list(ids)}}, projection)]
    wanted, found = list(ids), []
    for start in range(0, len(wanted), POINT_LOOKUPS):
        wave = wanted[start : start + POINT_LOOKUPS]
        found += await asyncio.gather(*(collection.find_one({"_id": i}, projection) for i in wave))
    return [document for document in found if document is not None]


async def insert_ignoring_duplicates(
    collection: AsyncCollection[Document], documents: Sequence[Document]
) -> list[int]:
    """Insert every document that is new; return the indexes (into ``documents``) of the ``_id``s already stored.

    Raises ``BulkWriteError`` for any error other than a duplicate key.
    """
    existing: list[int] = []
    for start in range(0, len(documents), MAX_BULK_STATEMENTS):
        chunk = documents[start : start + MAX_BULK_STATEMENTS]
        try:
            await collection.bulk_write([InsertOne(dict(document)) for document in chunk], ordered=False)
        except BulkWriteError as error:
            errors = error.details.get("writeErrors", [])
            if any(entry.get("code") != DUPLICATE_KEY for entry in errors):
                raise
            existing += [start + int(entry["index"]) for entry in errors]
    return sorted(existing)


async def update_in_chunks(collection: AsyncCollection[Document], updates: Sequence[UpdateOne]) -> None:
    """``bulk_write`` of ``updates`` (unordered), at most :data:`MAX_BULK_STATEMENTS` per round trip."""
    for start in range(0, len(updates), MAX_BULK_STATEMENTS):
        await collection.bulk_write(list(updates[start : start + MAX_BULK_STATEMENTS]), ordered=False)


async def upsert_guarded(collection: AsyncCollection[Document], writes: Sequence[GuardedWrite]) -> None:
    """Insert new documents, overwrite stored ones that match their guard; two round trips at most."""
    documents = [{"_id": write.id, **write.document} for write in writes]
    existing = await insert_ignoring_duplicates(collection, documents)
    updates = [
        UpdateOne({"_id": writes[index].id, **writes[index].guard}, {"$set": writes[index].document})
        for index in existing
    ]
    await update_in_chunks(collection, updates)


__all__ = [
    "DUPLICATE_KEY",
    "MAX_BULK_STATEMENTS",
    "POINT_LOOKUPS",
    "POINT_LOOKUP_LIMIT",
    "GuardedWrite",
    "find_by_ids",
    "insert_ignoring_duplicates",
    "update_in_chunks",
    "upsert_guarded",
]
