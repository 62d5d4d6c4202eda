"""``snapshots``: the latest snapshot of every platform record, one document per ``ExternalRef.key``.

Written by the checker's link stage only. ``orders_by_customer`` (``_id``: normalised customer
email) lists the order records that name each customer, for the customer's lifecycle state; every
read is by ``_id``, the only lookup FerretDB serves without a scan. The snapshot is stored as its JSON form (Decimal and
datetimes as strings, exactly as the model reads them back) beside a few indexed fields.
"""

from collections.abc import Collection, Sequence
from functools import cache

from pydantic import TypeAdapter
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.bulk import (
    GuardedWrite,
    find_by_ids,
    insert_ignoring_duplicates,
    update_in_chunks,
    upsert_guarded,
)
from shared.adapters.mongo.client import Document
from shared.core.matching.normalize import normalize_email
from shared.core.model import Order
from shared.core.repositories import AnySnapshot, snapshot_rank
from shared.core.snapshot import RecordSnapshot

COLLECTION = "snapshots"


@cache
def _snapshot_adapter() -> TypeAdapter[AnySnapshot]:
    return TypeAdapter(RecordSnapshot)


class MongoSnapshotRepository:
    """``repositories.SnapshotRepository`` on MongoDB; the version guard is a string comparison of ranks."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database[COLLECTION]
        self._orders = database["orders_by_customer"]

    async def ensure_indexes(self) -> None:
        """Nothing beyond ``_id``: every query of this repository is by ``_id``."""

    async def load_many(self, ref_keys: Collection[str]) -> dict[str, AnySnapshot]:
        adapter = _snapshot_adapter()
        documents = await find_by_ids(self._collection, ref_keys, {"snapshot": 1})
        return {document["_id"]: adapter.validate_python(document["snapshot"]) for document in documents}

    async def save_newer(self, snapshots: Sequence[AnySnapshot]) -> None:
        latest: dict[str, AnySnapshot] = {}
        for snapshot in snapshots:
            known = latest.get(snapshot.ref.key)
            if known is None or snapshot_rank(known) < snapshot_rank(snapshot):
                latest[snapshot.ref.key] = snapshot
        writes = [
            GuardedWrite(
                id=key, document=_document_of(snapshot), guard={"rank": {"$lt": snapshot_rank(snapshot)}}
            )
            for key, snapshot in latest.items()
        ]
        await upsert_guarded(self._collection, writes)
        await self._index_orders(list(latest.values()))

    async def count_orders_for(self, emails: Collection[str]) -> int:
        if not emails:
            return 0
        documents = await find_by_ids(self._orders, emails)
        return len({ref for document in documents for ref in document.get("refs", [])})

    async def _index_orders(self, snapshots: Sequence[AnySnapshot]) -> None:
        """``orders_by_customer``: customer email -> keys of the order records naming it (ever)."""
        pairs = sorted({(email, s.ref.key) for s in snapshots if (email := _customer_email(s)) is not None})
        if not pairs:
            return
        await insert_ignoring_duplicates(self._orders, [{"_id": email, "refs": []} for email in dict(pairs)])
        await update_in_chunks(
            self._orders,
            [
                UpdateOne({"_id": email, "refs": {"$ne": ref}}, {"$push": {"refs": ref}})
                for email, ref in pairs
            ],
        )


def _customer_email(snapshot: AnySnapshot) -> str | None:
    values = snapshot.values
    return normalize_email(values.customer_email) if isinstance(values, Order) else None


def _document_of(snapshot: AnySnapshot) -> Document:
    return {
        "entity_type": snapshot.entity_type.value,
        "system": snapshot.ref.system.value,
        "rank": snapshot_rank(snapshot),
        "deleted": snapshot.deleted,
        "observed_at": snapshot.observed_at,
        "customer_email": _customer_email(snapshot),
        "snapshot": snapshot.model_dump(mode="json"),
    }


__all__ = ["MongoSnapshotRepository"]
