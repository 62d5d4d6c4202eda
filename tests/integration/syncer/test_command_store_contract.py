"""One contract, two command stores: the in-memory fake the component tests use and MongoDB (FerretDB),
so that the fake cannot drift from the real store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient
from pymongo.database import Database

from shared.adapters.mongo.commands import MongoCommandStore, ensure_command_indexes
from shared.core.events import OneDirectionSync, SyncCommand, first_in_chain, new_message_id
from shared.core.model import EntityId, EntityType, System
from shared.core.sync import CommandState, CommandStore, ConcurrentUpdate
from shared.core.sync.fakes import FakeCommandStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "mongo"])
async def store(
    request: pytest.FixtureRequest, mongo_uri: str, mongo_db: Database[dict[str, object]]
) -> AsyncIterator[CommandStore]:
    if request.param == "fake":
        yield FakeCommandStore()
        return
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    database = client[mongo_db.name]
    await ensure_command_indexes(database)
    yield MongoCommandStore(database)
    await client.close()


def command(key: str | None = None) -> SyncCommand:
    command_id = new_message_id()
    return SyncCommand(
        **first_in_chain(producer="test", produced_at=NOW, message_id=command_id), command_id=command_id,
        idempotency_key=key or new_message_id(), entity_id=EntityId("ent_1"), entity_type=EntityType.CUSTOMER,
        dimension="customer_contact", approved_by="op", approved_at=NOW,
        action=OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",)),
    )  # fmt: skip


async def test_admitting_a_command_twice_returns_its_stored_record(store: CommandStore) -> None:
    sync = command()
    first = await store.admit(sync, at=NOW)
    saved = await store.save(first.record.begin_attempt(NOW))
    again = await store.admit(sync, at=NOW + timedelta(seconds=1))

    assert (first.new, again.new, again.duplicate_of) == (True, False, None)
    assert again.record == saved


async def test_another_command_with_the_same_idempotency_key_is_a_duplicate_and_not_stored(
    store: CommandStore,
) -> None:
    key = new_message_id()
    original, copy = command(key), command(key)
    await store.admit(original, at=NOW)

    admission = await store.admit(copy, at=NOW)

    assert (admission.new, admission.duplicate_of) == (False, original.command_id)
    assert await store.get(copy.command_id) is None


async def test_a_save_from_a_stale_revision_is_refused(store: CommandStore) -> None:
    record = (await store.admit(command(), at=NOW)).record
    await store.save(record.begin_attempt(NOW))

    with pytest.raises(ConcurrentUpdate):
        await store.save(record.begin_attempt(NOW))


async def test_due_retries_are_the_retrying_commands_whose_time_has_come_earliest_first(
    store: CommandStore,
) -> None:
    async def retrying(due_in: float) -> str:
        record = (await store.admit(command(), at=NOW)).record
        record = await store.save(record.begin_attempt(NOW))
        record = await store.save(record.end_attempt(CommandState.FAILED, "failed", NOW, "503"))
        await store.save(record.retry_at(NOW + timedelta(seconds=due_in), NOW))
        return record.command_id

    later, sooner, not_yet = await retrying(20), await retrying(10), await retrying(60)
    await store.admit(command(), at=NOW)  # approved, never retrying

    due = await store.due_retries(NOW + timedelta(seconds=30), limit=10)
    capped = await store.due_retries(NOW + timedelta(seconds=30), limit=1)

    assert [r.command_id for r in due] == [sooner, later]
    assert not_yet not in {r.command_id for r in due}
    assert [r.command_id for r in capped] == [sooner]
