"""One contract for ``CheckStateStore``, run against the in-memory fake and the real MongoDB-protocol server."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shared.adapters.mongo.check_state import MongoCheckStateStore
from shared.core.model import EntityId, EntityType
from shared.core.ports import CheckStateStore
from shared.core.testing.pulse_fakes import FakeCheckStateStore
from shared.core.verification import VerificationOutcome, VerificationState
from tests.contract.conftest import scratch_database

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def cadence_of(entity_type: EntityType, dimension: str) -> timedelta:
    return HOUR if dimension == "product_pricing" else 24 * HOUR


@pytest.fixture(params=["fake", "mongodb"])
async def store(request: pytest.FixtureRequest, unique: str) -> AsyncIterator[CheckStateStore]:
    if request.param == "fake":
        yield FakeCheckStateStore(cadence_of)
        return
    async with scratch_database(request, unique) as database:
        mongo_store = MongoCheckStateStore(database, cadence_of=cadence_of)
        await mongo_store.ensure_indexes()
        yield mongo_store


def state(
    entity: str, dimension: str = "product_pricing", *, verified: datetime | None = None
) -> VerificationState:
    return VerificationState(
        entity_id=EntityId(entity),
        dimension=dimension,
        last_verified_at=verified,
        outcome=VerificationOutcome.UNKNOWN if verified is None else VerificationOutcome.CONSISTENT,
    )


async def test_state_is_absent_then_saved_then_replaced(store: CheckStateStore) -> None:
    assert await store.load(EntityId("ent_a"), "product_pricing") is None
    first = (
        state("ent_a", verified=T0).changed(T0 + timedelta(seconds=5)).with_business_value(Decimal("1234.50"))
    )
    await store.save_all([(EntityType.PRODUCT, first)])
    assert await store.load(EntityId("ent_a"), "product_pricing") == first
    second = first.verified(T0 + HOUR, VerificationOutcome.DISCREPANT)
    await store.save_all([(EntityType.PRODUCT, second.with_priority_override(9.5))])
    assert await store.load(EntityId("ent_a"), "product_pricing") == second  # overrides live elsewhere


async def test_saving_the_same_batch_twice_changes_nothing(store: CheckStateStore) -> None:
    batch = [(EntityType.PRODUCT, state("ent_a", verified=T0)), (EntityType.PRODUCT, state("ent_b"))]
    await store.save_all(batch)
    await store.save_all(batch)
    assert await store.candidates(now=T0 + 2 * HOUR, limit=10) == [batch[1], batch[0]]


async def test_candidates_are_due_pairs_never_verified_first_then_oldest(store: CheckStateStore) -> None:
    await store.save_all(
        [
            (EntityType.PRODUCT, state("ent_recent", verified=T0 + 50 * timedelta(minutes=1))),
            (EntityType.PRODUCT, state("ent_old", verified=T0)),
            (EntityType.PRODUCT, state("ent_new")),
            (EntityType.PRODUCT, state("ent_slow", "product_catalog", verified=T0 - 2 * HOUR)),
            (EntityType.PRODUCT, state("ent_mid", verified=T0 + 10 * timedelta(minutes=1))),
        ]
    )
    # At T0+1h30: pricing (1 h cadence) verified at T0 and T0+10m is due, T0+50m is not;
    # the catalog pair (24 h cadence) is not due although it is the oldest.
    found = await store.candidates(now=T0 + 90 * timedelta(minutes=1), limit=10)
    assert [s.entity_id for _, s in found] == ["ent_new", "ent_old", "ent_mid"]
    assert all(entity_type is EntityType.PRODUCT for entity_type, _ in found)
    limited = await store.candidates(now=T0 + 90 * timedelta(minutes=1), limit=2)
    assert [s.entity_id for _, s in limited] == ["ent_new", "ent_old"]


async def test_requested_pairs_are_left_out_until_the_request_is_overdue(store: CheckStateStore) -> None:
    await store.save_all([(EntityType.CUSTOMER, state("ent_a")), (EntityType.CUSTOMER, state("ent_b"))])
    await store.mark_requested(EntityId("ent_a"), "product_pricing", at=T0, until=T0 + timedelta(minutes=5))
    assert [s.entity_id for _, s in await store.candidates(now=T0 + timedelta(minutes=1), limit=10)] == [
        "ent_b"
    ]
    later = await store.candidates(now=T0 + timedelta(minutes=5), limit=10)
    assert [s.entity_id for _, s in later] == ["ent_a", "ent_b"]


async def test_a_new_save_keeps_the_request_marker(store: CheckStateStore) -> None:
    await store.save_all([(EntityType.PRODUCT, state("ent_a"))])
    await store.mark_requested(EntityId("ent_a"), "product_pricing", at=T0, until=T0 + HOUR)
    await store.save_all([(EntityType.PRODUCT, state("ent_a").changed(T0))])
    assert await store.candidates(now=T0 + timedelta(minutes=1), limit=10) == []


async def test_marking_an_unknown_pair_creates_nothing(store: CheckStateStore) -> None:
    await store.mark_requested(EntityId("ent_x"), "presence", at=T0, until=T0 + HOUR)
    assert await store.load(EntityId("ent_x"), "presence") is None
    assert await store.candidates(now=T0 + 2 * HOUR, limit=10) == []
