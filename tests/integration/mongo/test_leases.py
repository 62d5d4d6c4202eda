"""Leases on a real MongoDB-protocol server (FerretDB locally), contended by replicas with their own
clients: FerretDB 1.24 lets several conditional updates "take" one lapsed lease, which must not be."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from shared.adapters.mongo import MongoLeaseStore

REPLICAS = 12
TTL = timedelta(seconds=30)
T0 = datetime(2026, 11, 1, 12, 0, 7, tzinfo=UTC)


@pytest.fixture
async def replicas(mongo_uri: str, unique: str) -> AsyncIterator[list[MongoLeaseStore]]:
    clients: list[AsyncMongoClient[dict[str, object]]] = [
        AsyncMongoClient(mongo_uri) for _ in range(REPLICAS)
    ]
    yield [MongoLeaseStore(client[f"test_leases_{unique}"]) for client in clients]  # type: ignore[arg-type]
    await clients[0].drop_database(f"test_leases_{unique}")
    for client in clients:
        await client.close()


async def contend(replicas: list[MongoLeaseStore], now: datetime) -> list[str]:
    won = await asyncio.gather(
        *(store.acquire("pulse", f"replica-{n}", ttl=TTL, now=now) for n, store in enumerate(replicas))
    )
    return [f"replica-{n}" for n, held in enumerate(won) if held]


async def test_replicas_racing_for_a_free_lease_leave_one_holder(replicas: list[MongoLeaseStore]) -> None:
    assert len(await contend(replicas, T0)) == 1


async def test_replicas_racing_for_a_lapsed_lease_leave_one_holder(replicas: list[MongoLeaseStore]) -> None:
    # Each round comes long after the last: the lease has lapsed and every replica tries to take it.
    rounds = [await contend(replicas, T0 + n * 10 * TTL) for n in range(6)]

    assert [len(winners) for winners in rounds] == [1] * 6


async def test_the_holder_keeps_renewing_and_the_rest_are_refused(replicas: list[MongoLeaseStore]) -> None:
    [first] = await contend(replicas, T0)

    for n in range(1, 5):
        assert await contend(replicas, T0 + n * TTL) == [first]


async def test_a_released_lease_is_taken_by_one_replica_at_once(replicas: list[MongoLeaseStore]) -> None:
    [first] = await contend(replicas, T0)
    holder = replicas[int(first.removeprefix("replica-"))]

    await holder.release("pulse", first)

    assert len(await contend(replicas, T0 + timedelta(seconds=1))) == 1
