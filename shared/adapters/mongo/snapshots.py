"""``snapshots``: the latest snapshot of every platform record, one document per ``ExternalRef.key``.

Written by the checker's link stage only. ``orders_by_customer`` holds a set per normalised customer
email of the order records naming it, for the customer's lifecycle state (a :class:`GrowOnlySets`:
orders on different partitions add to one customer's set at once). Every read is by ``_id``, the
only lookup FerretDB serves without a scan. The snapshot is stored as its JSON form (Decimal and
datetimes as strings, exactly as the model reads them back) beside a few indexed fields.
"""

from collections.abc import Collection, Sequence
from functools import cache

from pydantic import TypeAdapter
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.bulk import GuardedWrite, find_by_ids, upsert_guarded
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.sets import GrowOnlySets
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
        self._orders = GrowOnlySets(database["orders_by_customer"])

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
        return len({ref for refs in (await self._orders.members(emails)).values() for ref in refs})

    async def _index_orders(self, snapshots: Sequence[AnySnapshot]) -> None:
        """``orders_by_customer``: customer email -> keys of the order records naming it (ever)."""
        await self._orders.add(
            (email, s.ref.key) for s in snapshots if (email := _customer_email(s)) is not None
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
