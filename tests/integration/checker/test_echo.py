"""Echoes at store level: a write the syncer logged in MongoDB, and the observation that comes back."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.sync_writes import (
    MongoSyncWriteLog,
    MongoSyncWriteRecorder,
    ensure_sync_write_indexes,
)
from shared.core.echo import EchoVerdict, recognise_echo
from shared.core.model import Customer, EntityId, ExternalRef, Surface, System
from shared.core.ports import ExpectedWrite
from shared.core.snapshot import CustomerSnapshot

Document = dict[str, object]
REF = ExternalRef(system=System.NETSUITE, object_type="customer", external_id="77")
WINDOW = timedelta(minutes=10)


@pytest.fixture
async def database(mongo_uri: str, unique: str) -> AsyncIterator[AsyncDatabase[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, tz_aware=True, tzinfo=UTC)
    database = client[f"test_{unique}"]
    await ensure_sync_write_indexes(database)
    yield database
    await client.drop_database(database.name)
    await client.close()


def observation(email: str, at: datetime, surface: Surface = Surface.WEBHOOK) -> CustomerSnapshot:
    return CustomerSnapshot(
        ref=REF, represented=frozenset({"email", "phone"}), source_version="v9", source_updated_at=at,
        observed_at=at, surface=surface, values=Customer(email=email),
    )  # fmt: skip


async def logged_write(database: AsyncDatabase[Document], written_at: datetime) -> ExpectedWrite:
    write = ExpectedWrite(
        write_id="w-echo", command_id="cmd-1", ref=REF, entity_id=EntityId("ent_echo"),
        expected={"email": "fixed@example.com"}, provenance_tag="concord:w-echo", written_at=written_at,
    )  # fmt: skip
    assert await MongoSyncWriteRecorder(database).record_expected_write(write)
    return write


async def test_the_returning_observation_of_a_logged_write_is_its_echo_and_verifies_it(
    database: AsyncDatabase[Document],
) -> None:
    written_at = datetime.now(UTC).replace(microsecond=0)
    write = await logged_write(database, written_at)
    log = MongoSyncWriteLog(database)
    now = written_at + timedelta(seconds=20)
    echo = observation("Fixed@Example.com", written_at + timedelta(seconds=3))
    recent = await log.recent_for(REF, since=now - WINDOW)
    result = recognise_echo(echo, provenance_tag=None, recent_writes=recent, now=now, echo_window=WINDOW)
    assert (result.verdict, result.write) == (EchoVerdict.ECHO, write)

    await log.mark_verified(write.write_id, at=now, observation_id="obs-echo")
    await log.mark_verified(write.write_id, at=now + timedelta(seconds=5), observation_id="obs-redelivered")
    (stored,) = await log.recent_for(REF, since=now - WINDOW)
    assert stored.verified_at == now
    document = await database["sync_writes"].find_one({"_id": write.write_id})
    assert document is not None
    assert document["verified_by_observation"] == "obs-echo"


async def test_a_different_value_inside_the_window_is_a_conflict_and_outside_it_is_not_ours(
    database: AsyncDatabase[Document],
) -> None:
    written_at = datetime.now(UTC).replace(microsecond=0)
    await logged_write(database, written_at)
    log = MongoSyncWriteLog(database)
    other = observation("someone-else@example.com", written_at + timedelta(seconds=30))

    inside = written_at + timedelta(minutes=1)
    recent = await log.recent_for(REF, since=inside - WINDOW)
    result = recognise_echo(other, provenance_tag=None, recent_writes=recent, now=inside, echo_window=WINDOW)
    assert (result.verdict, result.differing) == (EchoVerdict.CONFLICT, ("email",))

    later = written_at + WINDOW + timedelta(minutes=1)
    recent = await log.recent_for(REF, since=later - WINDOW)
    assert recent == []
    outside = recognise_echo(other, provenance_tag=None, recent_writes=recent, now=later, echo_window=WINDOW)
    assert outside.verdict is EchoVerdict.NOT_OURS
