"""``discrepancies``: one document per discrepancy episode, with its history and its outbox.

Written by the checker's evaluate stage only; the dashboard reads it. ``_id`` is the lifecycle's
episode id (``shared.core.discrepancy.discrepancy_id``); ``discrepancy_id`` is the id the events
carry (``shared.core.events.discrepancy_id_for``). ``pending`` holds the episode's events not yet
acknowledged by Kafka (see ``repositories.StoredDiscrepancy``). ``discrepancy_heads`` (``_id``: entity id)
holds each entity's latest episode number per dimension, so the per-entity read is by ``_id`` (the
only lookup FerretDB serves without a scan); the indexes serve the dashboard's queries.

``inbox_rows`` (``_id``: the episode id) holds each episode's inbox row (``shared.core.dashboard.inbox``),
written in the same save: the dashboard's inbox reads these small documents instead of scanning every
full episode (on FerretDB the scan costs per stored byte: 100,000 full episodes take minutes). A resolved
episode keeps a row-less tombstone with its revision, so a late write of an older revision (the same
revision guard as the episode's) cannot bring a resolved row back.
"""

from collections.abc import Collection, Sequence
from functools import cache

from pydantic import TypeAdapter
from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.bulk import (
    GuardedWrite,
    insert_ignoring_duplicates,
    update_in_chunks,
    upsert_guarded,
)
from shared.adapters.mongo.client import Document
from shared.core.dashboard.inbox import row_of
from shared.core.discrepancy import Discrepancy
from shared.core.events import discrepancy_id_for
from shared.core.model import EntityId
from shared.core.repositories import DiscrepancyEvent, StoredDiscrepancy

COLLECTION = "discrepancies"
INBOX_ROWS = "inbox_rows"


@cache
def _events_adapter() -> TypeAdapter[list[DiscrepancyEvent]]:
    return TypeAdapter(list[DiscrepancyEvent])


class MongoDiscrepancyRepository:
    """``repositories.DiscrepancyRepository`` on MongoDB; writes are guarded by revision."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database[COLLECTION]
        self._heads = database["discrepancy_heads"]
        self._rows = database[INBOX_ROWS]

    async def ensure_indexes(self) -> None:
        """Indexes of per-entity reads and the dashboard's open-discrepancy lists (idempotent)."""
        await self._collection.create_index(
            [("entity_id", ASCENDING), ("dimension", ASCENDING)], name="entity"
        )
        await self._collection.create_index([("status", ASCENDING), ("kind", ASCENDING)], name="status_kind")
        await self._collection.create_index([("discrepancy_id", ASCENDING)], name="event_id")

    async def latest_for(self, entity_ids: Collection[EntityId]) -> dict[EntityId, list[StoredDiscrepancy]]:
        if not entity_ids:
            return {}
        latest: dict[tuple[str, str], StoredDiscrepancy] = {}
        pending: list[StoredDiscrepancy] = []
        cursor = self._collection.find(
            {"entity_id": {"$in": list(entity_ids)}}, {"document": 1, "pending": 1}
        )
        async for document in cursor:
            item = _stored_of(document)
            key = (item.discrepancy.entity_id, item.discrepancy.dimension)
            known = latest.get(key)
            if known is None or known.discrepancy.episode < item.discrepancy.episode:
                latest[key] = item
            if item.pending:
                pending.append(item)
        chosen = {item.discrepancy.id: item for item in [*latest.values(), *pending]}
        found: dict[EntityId, list[StoredDiscrepancy]] = {}
        for item in sorted(chosen.values(), key=lambda i: (i.discrepancy.dimension, i.discrepancy.episode)):
            found.setdefault(item.discrepancy.entity_id, []).append(item)
        return found

    async def save_all(self, items: Sequence[StoredDiscrepancy]) -> None:
        writes = [
            GuardedWrite(
                id=item.discrepancy.id,
                document=_document_of(item),
                guard={"revision": {"$lte": item.discrepancy.revision}},
            )
            for item in items
        ]
        await upsert_guarded(self._collection, writes)
        await upsert_guarded(self._rows, [_row_write(item) for item in items])
        await self._advance_heads(items)

    async def clear_pending(self, discrepancy_ids: Collection[str]) -> None:
        if discrepancy_ids:
            await self._collection.update_many(
                {"_id": {"$in": list(discrepancy_ids)}}, {"$set": {"pending": []}}
            )

    async def _advance_heads(self, items: Sequence[StoredDiscrepancy]) -> None:
        """``discrepancy_heads``: per entity, the latest episode number of each dimension."""
        if not items:
            return
        entity_ids = sorted({item.discrepancy.entity_id for item in items})
        await insert_ignoring_duplicates(self._heads, [{"_id": e, "episodes": {}} for e in entity_ids])
        updates = [
            UpdateOne({"_id": d.entity_id}, {"$max": {f"episodes.{d.dimension}": d.episode}})
            for d in (item.discrepancy for item in items)
        ]
        await update_in_chunks(self._heads, updates)


def _document_of(item: StoredDiscrepancy) -> Document:
    discrepancy = item.discrepancy
    return {
        "discrepancy_id": discrepancy_id_for(
            discrepancy.entity_id, discrepancy.dimension, discrepancy.opened_at
        ),
        "entity_id": discrepancy.entity_id,
        "entity_type": discrepancy.entity_type.value,
        "dimension": discrepancy.dimension,
        "episode": discrepancy.episode,
        "revision": discrepancy.revision,
        "status": discrepancy.status.value,
        "kind": discrepancy.finding.kind.value,
        "opened_at": discrepancy.opened_at,
        "last_seen_at": discrepancy.last_seen_at,
        "resolved_at": discrepancy.resolved_at,
        "document": discrepancy.model_dump(mode="json"),
        "pending": [event.model_dump(mode="json") for event in item.pending],
    }


def inbox_row_document(item: StoredDiscrepancy) -> Document:
    """The ``inbox_rows`` document of an episode: its row while open, a tombstone once resolved."""
    discrepancy = item.discrepancy
    row = row_of(discrepancy).model_dump(mode="json") if discrepancy.is_open else None
    return {"open": discrepancy.is_open, "revision": discrepancy.revision, "row": row}


def _row_write(item: StoredDiscrepancy) -> GuardedWrite:
    return GuardedWrite(
        id=item.discrepancy.id,
        document=inbox_row_document(item),
        guard={"revision": {"$lte": item.discrepancy.revision}},
    )


def _stored_of(document: Document) -> StoredDiscrepancy:
    return StoredDiscrepancy(
        discrepancy=Discrepancy.model_validate(document["document"]),
        pending=tuple(_events_adapter().validate_python(document.get("pending") or [])),
    )


__all__ = ["INBOX_ROWS", "MongoDiscrepancyRepository", "inbox_row_document"]
