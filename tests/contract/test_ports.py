"""One contract for each port, run against the in-memory fake and the real MongoDB-protocol server."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from shared.adapters.mongo import MongoCursorStore, MongoLeaseStore, MongoProcessedLedger
from shared.core.ports import CursorStore, LeaseStore, PollCursor, ProcessedLedger
from shared.core.testing import FakeCursorStore, FakeLeaseStore, FakeProcessedLedger

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "mongodb"])
async def stores(
    request: pytest.FixtureRequest, unique: str
) -> AsyncIterator[tuple[CursorStore, LeaseStore, ProcessedLedger]]:
    if request.param == "fake":
        yield FakeCursorStore(), FakeLeaseStore(), FakeProcessedLedger()
        return
    mongo_uri = request.getfixturevalue("mongo_uri")
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True, tzinfo=UTC)
    database = client[f"test_{unique}"]
    yield MongoCursorStore(database), MongoLeaseStore(database), MongoProcessedLedger(database)  # type: ignore[arg-type]
    await client.drop_database(database.name)
    await client.close()


async def test_cursor_is_absent_then_saved_then_overwritten(stores: tuple[CursorStore, ...]) -> None:
    cursors = stores[0]
    assert await cursors.load("shopify:customers") is None
    first = PollCursor(key="shopify:customers", position=T0, token="abc", updated_at=T0)
    await cursors.save(first)
    assert await cursors.load("shopify:customers") == first
    second = PollCursor(
        key="shopify:customers", position=T0 + timedelta(minutes=5), updated_at=T0, published={"7": T0}
    )
    await cursors.save(second)
    assert await cursors.load("shopify:customers") == second


async def test_lease_has_one_holder_until_it_lapses(
    stores: tuple[CursorStore, LeaseStore, ProcessedLedger],
) -> None:
    leases = stores[1]
    ttl = timedelta(seconds=30)
    assert await leases.acquire("poll:shopify:customers", "replica-a", ttl=ttl, now=T0)
    assert not await leases.acquire(
        "poll:shopify:customers", "replica-b", ttl=ttl, now=T0 + timedelta(seconds=10)
    )
    assert await leases.acquire(
        "poll:shopify:customers", "replica-a", ttl=ttl, now=T0 + timedelta(seconds=20)
    )
    # Renewed at +20 s: held at least one TTL past that (+45 s), lapsed within two (+81 s).
    assert not await leases.acquire(
        "poll:shopify:customers", "replica-b", ttl=ttl, now=T0 + timedelta(seconds=45)
    )
    assert await leases.acquire(
        "poll:shopify:customers", "replica-b", ttl=ttl, now=T0 + timedelta(seconds=81)
    )
    assert not await leases.acquire(
        "poll:shopify:customers", "replica-a", ttl=ttl, now=T0 + timedelta(seconds=82)
    )


async def test_released_lease_can_be_taken_at_once(
    stores: tuple[CursorStore, LeaseStore, ProcessedLedger],
) -> None:
    leases = stores[1]
    ttl = timedelta(seconds=30)
    assert await leases.acquire("pulse", "a", ttl=ttl, now=T0)
    await leases.release("pulse", "b")  # not the holder: no effect
    assert not await leases.acquire("pulse", "b", ttl=ttl, now=T0)
    await leases.release("pulse", "a")
    assert await leases.acquire("pulse", "b", ttl=ttl, now=T0)


async def test_processed_messages_are_recorded_once_per_consumer(
    stores: tuple[CursorStore, LeaseStore, ProcessedLedger],
) -> None:
    processed = stores[2]
    assert await processed.already_processed("checker.link", ["m1", "m2"]) == frozenset()
    await processed.mark_processed("checker.link", ["m1", "m1"], at=T0)
    await processed.mark_processed("checker.link", ["m1", "m3"], at=T0)  # a redelivery: no error
    assert await processed.already_processed("checker.link", ["m1", "m2", "m3"]) == {"m1", "m3"}
    assert await processed.already_processed("checker.evaluate", ["m1"]) == frozenset()
    assert await processed.already_processed("checker.link", []) == frozenset()
