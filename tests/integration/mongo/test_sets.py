"""Grow-only sets on a real MongoDB-protocol server (FerretDB locally), written by several clients at
once: FerretDB 1.24 loses concurrent ``$addToSet``s on one document, which these sets must not."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.client import Document
from shared.adapters.mongo.sets import GrowOnlySets

CLIENTS = 6


@pytest.fixture
async def databases(mongo_uri: str, unique: str) -> AsyncIterator[list[AsyncDatabase[Document]]]:
    """One database seen through several clients, as replicas see it."""
    clients: list[AsyncMongoClient[Document]] = [AsyncMongoClient(mongo_uri) for _ in range(CLIENTS)]
    yield [client[f"test_sets_{unique}"] for client in clients]
    await clients[0].drop_database(f"test_sets_{unique}")
    for client in clients:
        await client.close()


async def test_concurrent_adds_to_one_set_keep_every_member(databases: list[AsyncDatabase[Document]]) -> None:
    writers = [GrowOnlySets(database["sets"]) for database in databases]

    await asyncio.gather(
        *(writers[i % CLIENTS].add([("customer|email:a@x.example", f"e{i}")]) for i in range(60))
    )

    members = (await writers[0].members(["customer|email:a@x.example"]))["customer|email:a@x.example"]
    assert sorted(members) == sorted(f"e{i}" for i in range(60))
    assert len(members) == len(set(members))


async def test_the_same_member_added_at_once_is_stored_once(databases: list[AsyncDatabase[Document]]) -> None:
    writers = [GrowOnlySets(database["sets"]) for database in databases]

    await asyncio.gather(*(writer.add([("s", "m"), ("s", f"own-{n}")]) for n, writer in enumerate(writers)))
    await writers[0].add([("s", "m")])

    members = await writers[0].members(["s", "absent"])
    assert set(members) == {"s"}
    assert sorted(members["s"]) == sorted(["m", *(f"own-{n}" for n in range(CLIENTS))])
    stored = await databases[0]["sets"].count_documents({})
    assert stored == CLIENTS + 1


async def test_members_of_several_sets_in_order_of_addition(databases: list[AsyncDatabase[Document]]) -> None:
    sets = GrowOnlySets(databases[0]["sets"])

    await sets.add([("a", "1"), ("b", "1")])
    await sets.add([("a", "3"), ("a", "2"), ("c#0", "x")])

    assert await sets.members(["a", "b", "c", "c#0"]) == {"a": ["1", "2", "3"], "b": ["1"], "c#0": ["x"]}
