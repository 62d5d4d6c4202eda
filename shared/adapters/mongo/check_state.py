"""Verification state per (entity, dimension) in ``check_state``; written by the checker only.

One document per pair, ``_id`` = ``<entity_id>|<dimension>`` (deterministic, so a redelivered
batch overwrites with the same values). Besides the state it keeps two index fields:

- ``next_due_at``: last verification + the dimension's pulse cadence (``None`` = never verified,
  due now), so :meth:`MongoCheckStateStore.candidates` pre-selects by index;
- ``requested_until``: set by :meth:`mark_requested`, the pair is left out until then.

An operator's priority override is not stored here but in ``check_priorities`` (the dashboard's):
were both services to write one document, a save of the evaluate stage could undo a raise.

Datetimes are stored at BSON's millisecond precision; ``business_value`` as a decimal string
(FerretDB 1.24 has no Decimal128). Everything stays within FerretDB 1.24 (bulk upserts, no
transactions).
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.bulk import update_in_chunks
from shared.adapters.mongo.client import Document
from shared.core.model import EntityId, EntityType
from shared.core.verification import VerificationOutcome, VerificationState

COLLECTION = "check_state"

CadenceOf = Callable[[EntityType, str], timedelta]
"""The pulse cadence of a dimension of an entity type (from the policy)."""


def pair_id(entity_id: str, dimension: str) -> str:
    """The document id of one (entity, dimension) pair."""
    return f"{entity_id}|{dimension}"


class MongoCheckStateStore:
    """``ports.CheckStateStore`` on MongoDB.

    ``cadence_of`` (from the policy) fills ``next_due_at``; without it every verified pair is a
    candidate and the scheduler's ranking filters what is not due yet.
    """

    def __init__(self, database: AsyncDatabase[Document], *, cadence_of: CadenceOf | None = None) -> None:
        self._collection = database[COLLECTION]
        self._cadence_of = cadence_of

    async def ensure_indexes(self) -> None:
        """Create the indexes ``candidates`` and per-entity reads use (idempotent)."""
        await self._collection.create_index(
            [("next_due_at", ASCENDING), ("last_verified_at", ASCENDING)], name="due"
        )
        await self._collection.create_index([("entity_id", ASCENDING)], name="entity")

    async def load(self, entity_id: EntityId, dimension: str) -> VerificationState | None:
        document = await self._collection.find_one({"_id": pair_id(entity_id, dimension)})
        return None if document is None else _state_of(document)

    async def save_all(self, states: list[tuple[EntityType, VerificationState]]) -> None:
        """Upsert every state, in bulk writes of at most ``MAX_BULK_STATEMENTS`` (FerretDB deadlocks on
        larger ones); the pair's request marker is left as it is. Idempotent: each upsert sets the
        same values again."""
        operations = [
            UpdateOne(
                {"_id": pair_id(state.entity_id, state.dimension)},
                {"$set": self._document_of(entity_type, state)},
                upsert=True,
            )
            for entity_type, state in states
        ]
        await update_in_chunks(self._collection, operations)

    async def candidates(self, *, now: datetime, limit: int) -> list[tuple[EntityType, VerificationState]]:
        if limit <= 0:
            return []
        query = {
            "$and": [
                {"$or": [{"next_due_at": None}, {"next_due_at": {"$lte": now}}]},
                {"$or": [{"requested_until": None}, {"requested_until": {"$lte": now}}]},
            ]
        }
        # BSON orders null before dates, so never-verified pairs come first.
        cursor = self._collection.find(query).sort([("last_verified_at", ASCENDING), ("_id", ASCENDING)])
        return [
            (EntityType(document["entity_type"]), _state_of(document))
            async for document in cursor.limit(limit)
        ]

    async def mark_requested(
        self, entity_id: EntityId, dimension: str, *, at: datetime, until: datetime
    ) -> None:
        """Record the request on an existing pair (an unknown pair is left alone)."""
        await self._collection.update_one(
            {"_id": pair_id(entity_id, dimension)},
            {"$set": {"requested_at": at, "requested_until": until}},
        )

    def _document_of(self, entity_type: EntityType, state: VerificationState) -> Document:
        return {
            "entity_id": state.entity_id,
            "dimension": state.dimension,
            "entity_type": entity_type.value,
            "last_verified_at": state.last_verified_at,
            "outcome": state.outcome.value,
            "changes_since_verified": state.changes_since_verified,
            "last_changed_at": state.last_changed_at,
            "business_value": str(state.business_value),
            "next_due_at": self._next_due(entity_type, state),
        }

    def _next_due(self, entity_type: EntityType, state: VerificationState) -> datetime | None:
        # Same rule as the fake (the contract suite keeps them in step): never verified = due now.
        if state.last_verified_at is None:
            return None
        if self._cadence_of is None:
            return state.last_verified_at
        return state.last_verified_at + self._cadence_of(entity_type, state.dimension)


def _state_of(document: Document) -> VerificationState:
    return VerificationState(
        entity_id=EntityId(document["entity_id"]),
        dimension=document["dimension"],
        last_verified_at=document.get("last_verified_at"),
        outcome=VerificationOutcome(document["outcome"]),
        changes_since_verified=document.get("changes_since_verified", 0),
        last_changed_at=document.get("last_changed_at"),
        business_value=Decimal(document.get("business_value", "0")),
    )


__all__ = ["COLLECTION", "CadenceOf", "MongoCheckStateStore", "pair_id"]
