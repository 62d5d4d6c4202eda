"""One contract for the sync write log (checker's ``SyncWriteLog`` + the syncer's writer), fake and MongoDB."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Protocol

import pytest
from pymongo import AsyncMongoClient

from shared.adapters.mongo.sync_writes import (
    MongoSyncWriteLog,
    MongoSyncWriteRecorder,
    ensure_sync_write_indexes,
)
from shared.core.model import EntityId, ExternalRef, System
from shared.core.ports import ExpectedWrite, SyncWriteLog
from shared.core.testing.pulse_fakes import FakeSyncWriteLog

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
REF = ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="51")
OTHER = ExternalRef(system=System.SHOPIFY, object_type="customers", external_id="51")


class Recorder(Protocol):
    async def record_expected_write(self, write: ExpectedWrite) -> bool: ...
    async def confirm_write(self, write_id: str, *, resulting_version: str | None) -> None: ...


@pytest.fixture(params=["fake", "mongodb"])
async def log(request: pytest.FixtureRequest, unique: str) -> AsyncIterator[tuple[Recorder, SyncWriteLog]]:
    if request.param == "fake":
        fake = FakeSyncWriteLog()
        yield fake, fake
        return
    mongo_uri = request.getfixturevalue("mongo_uri")
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True, tzinfo=UTC)
    database = client[f"test_{unique}"]
    await ensure_sync_write_indexes(database)
    yield MongoSyncWriteRecorder(database), MongoSyncWriteLog(database)
    await client.drop_database(database.name)
    await client.close()


def write(
    write_id: str, at: datetime, ref: ExternalRef = REF, email: str | None = "new@example.com"
) -> ExpectedWrite:
    return ExpectedWrite(
        write_id=write_id,
        command_id=f"cmd-{write_id}",
        ref=ref,
        entity_id=EntityId("ent_1"),
        expected={"email": email, "phone": None},
        provenance_tag=f"concord:{write_id}",
        written_at=at,
    )


async def test_recent_writes_of_a_record_newest_first_since_a_time(
    log: tuple[Recorder, SyncWriteLog],
) -> None:
    recorder, reader = log
    old, mid, new = (
        write("w1", T0),
        write("w2", T0 + timedelta(minutes=1)),
        write("w3", T0 + timedelta(minutes=2)),
    )
    for item in (mid, old, new, write("w4", T0 + timedelta(minutes=1), ref=OTHER)):
        assert await recorder.record_expected_write(item)
    assert await reader.recent_for(REF, since=T0 + timedelta(minutes=1)) == [new, mid]
    assert await reader.recent_for(REF, since=T0) == [new, mid, old]
    assert await reader.recent_for(REF, since=T0 + timedelta(minutes=3)) == []


async def test_recent_writes_of_several_records_in_one_read(log: tuple[Recorder, SyncWriteLog]) -> None:
    recorder, reader = log
    old, new, other = write("w1", T0), write("w2", T0 + timedelta(minutes=2)), write("w3", T0, ref=OTHER)
    for item in (old, new, other):
        assert await recorder.record_expected_write(item)
    unwritten = REF.model_copy(update={"external_id": "never-written"})

    assert await reader.recent_for_many([REF, OTHER, unwritten], since=T0) == {
        REF.key: [new, old],
        OTHER.key: [other],
    }
    assert await reader.recent_for_many([REF, OTHER], since=T0 + timedelta(minutes=1)) == {REF.key: [new]}
    assert await reader.recent_for_many([], since=T0) == {}


async def test_recording_the_same_write_twice_keeps_the_first(log: tuple[Recorder, SyncWriteLog]) -> None:
    recorder, reader = log
    assert await recorder.record_expected_write(write("w1", T0))
    assert not await recorder.record_expected_write(write("w1", T0, email="other@example.com"))
    assert await reader.recent_for(REF, since=T0) == [write("w1", T0)]


async def test_confirmation_sets_the_resulting_version_once(log: tuple[Recorder, SyncWriteLog]) -> None:
    recorder, reader = log
    await recorder.record_expected_write(write("w1", T0))
    await recorder.confirm_write("w1", resulting_version="8")
    await recorder.confirm_write("w1", resulting_version="9")
    assert (await reader.recent_for(REF, since=T0))[0].resulting_version == "8"


async def test_verification_is_recorded_once_and_unknown_writes_are_ignored(
    log: tuple[Recorder, SyncWriteLog],
) -> None:
    recorder, reader = log
    await recorder.record_expected_write(write("w1", T0))
    await reader.mark_verified("w1", at=T0 + timedelta(seconds=5), observation_id="obs-1")
    await reader.mark_verified("w1", at=T0 + timedelta(seconds=9), observation_id="obs-2")
    await reader.mark_verified("w-unknown", at=T0, observation_id="obs-3")
    written = await reader.recent_for(REF, since=T0)
    assert [w.verified_at for w in written] == [T0 + timedelta(seconds=5)]
    assert await reader.recent_for(OTHER, since=T0) == []
