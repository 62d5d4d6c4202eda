"""Acceptance of issue 7 on real Kafka, FerretDB and the sandbox over HTTP, the syncer in-process."""

from __future__ import annotations

import time

from services.syncer.settings import SyncerSettings
from shared.core.events import (
    CreateMissing,
    OneDirectionSync,
    RefreshRequested,
    SyncResult,
    UndoCommand,
    topic_for,
)
from shared.core.model import System
from shared.core.sync import CommandState
from tests.integration.syncer.support import (
    Platform,
    command,
    dead_commands,
    final_record,
    publish,
    running_syncer,
)
from tests.support.topics import read_messages

EMAIL = ("email",)


async def seed_conflict(platform: Platform) -> tuple[object, object]:
    hubspot = await platform.create(
        System.HUBSPOT, "contacts", {"properties": {"email": "alice@new.example", "firstname": "Alice"}}
    )
    netsuite = await platform.create(
        System.NETSUITE, "customer", {"email": "alice@old.example", "firstName": "Alice", "isPerson": True}
    )
    return hubspot, netsuite


async def results(settings: SyncerSettings, command_id: str, count: int = 1) -> list[SyncResult]:
    topic = topic_for("sync_result", settings.topic_prefix)
    found = await read_messages(settings.kafka_bootstrap, topic, until=lambda got: len(got) >= count)
    return [m for m in found if isinstance(m, SyncResult) and m.command_id == command_id]


async def refreshes(settings: SyncerSettings) -> list[RefreshRequested]:
    topic = topic_for("refresh_requested", settings.topic_prefix)
    found = await read_messages(settings.kafka_bootstrap, topic, until=lambda got: len(got) >= 1)
    return [m for m in found if isinstance(m, RefreshRequested)]


async def test_approving_hubspot_to_netsuite_updates_netsuite_publishes_result_and_asks_for_readback(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    hubspot, netsuite = await seed_conflict(platform)
    seen = (await platform.seen(hubspot, EMAIL), await platform.seen(netsuite, EMAIL))
    sync = command(OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=EMAIL), seen)
    async with running_syncer(settings):
        await publish(settings.kafka_bootstrap, settings.topic_prefix, sync)
        record = await final_record(mongo_uri, settings.mongodb_database, sync.command_id)

    assert record.state is CommandState.APPLIED
    assert await platform.email(netsuite) == "alice@new.example"
    assert (await platform.writes(netsuite), await platform.writes(hubspot)) == (1, 0)
    (result,) = await results(settings, sync.command_id)
    assert result.outcome == "applied"
    assert [(w.ref, w.before, w.after) for w in result.writes] == [
        (netsuite, {"email": "alice@old.example"}, {"email": "alice@new.example"})
    ]
    (refresh,) = await refreshes(settings)
    assert (refresh.refs, refresh.reason, refresh.entity_id) == ((netsuite,), "sync_readback", sync.entity_id)
    (write,) = record.writes or ()
    assert write.planned.expected == {"email": "alice@new.example"}
    assert write.resulting_version is not None


async def test_a_target_changed_after_approval_is_rejected_as_stale_and_nothing_is_written(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    hubspot, netsuite = await seed_conflict(platform)
    seen = (await platform.seen(hubspot, EMAIL), await platform.seen(netsuite, EMAIL))
    await platform.edit(netsuite, {"email": "alice@someone-else.example"})
    sync = command(OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=EMAIL), seen)
    async with running_syncer(settings):
        await publish(settings.kafka_bootstrap, settings.topic_prefix, sync)
        record = await final_record(mongo_uri, settings.mongodb_database, sync.command_id)

    assert record.state is CommandState.REJECTED
    # The precondition names the record and what moved: its version, or (an edit within the same second
    # of NetSuite's whole-second versions) the value the approver did not see.
    reason = record.last_error or ""
    assert f"{netsuite.key} changed since approval" in reason or "alice@someone-else.example" in reason
    assert (await platform.writes(netsuite), await platform.writes(hubspot)) == (0, 0)
    assert await platform.email(netsuite) == "alice@someone-else.example"
    (result,) = await results(settings, sync.command_id)
    assert (result.outcome, result.writes) == ("rejected_stale", ())
    (refresh,) = await refreshes(settings)
    assert refresh.reason == "recheck"
    assert {r.key for r in refresh.refs} == {hubspot.key, netsuite.key}


async def test_a_rate_limit_storm_is_waited_out_and_the_command_applied_once(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    hubspot, netsuite = await seed_conflict(platform)
    seen = (await platform.seen(hubspot, EMAIL), await platform.seen(netsuite, EMAIL))
    sync = command(OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=EMAIL), seen)
    await platform.faults(System.NETSUITE, {"rate_limit_storm": {"seconds": 12, "retry_after": 1.5}})
    storm_started = time.monotonic()
    async with running_syncer(settings):
        await publish(settings.kafka_bootstrap, settings.topic_prefix, sync)
        record = await final_record(mongo_uri, settings.mongodb_database, sync.command_id)
    elapsed = time.monotonic() - storm_started

    assert record.state is CommandState.APPLIED
    assert elapsed >= 12
    assert [a.outcome for a in record.attempts][-1] == "applied"
    assert any(a.outcome == "failed" and "429" in (a.error or "") for a in record.attempts)
    assert await platform.writes(netsuite) == 1
    assert await platform.email(netsuite) == "alice@new.example"


async def test_a_write_the_platform_refuses_for_good_goes_dead_with_the_platforms_message(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    _, netsuite = await seed_conflict(platform)
    await platform.edit(netsuite, {"email": "alice@new.example"})
    seen = (await platform.seen(netsuite, EMAIL),)
    create = command(CreateMissing(source=System.NETSUITE, target=System.HUBSPOT), seen)
    async with running_syncer(settings):
        await publish(settings.kafka_bootstrap, settings.topic_prefix, create)
        record = await final_record(mongo_uri, settings.mongodb_database, create.command_id)

    assert record.state is CommandState.DEAD
    assert "409" in (record.last_error or "")
    assert "Contact already exists" in (record.last_error or "")
    assert len(record.attempts) == 1
    (result,) = await results(settings, create.command_id)
    assert result.outcome == "dead"
    assert result.error == record.last_error


async def test_a_permanent_400_validation_error_goes_dead_with_the_platforms_message_and_stays_visible(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    hubspot, netsuite = await seed_conflict(platform)
    seen = (await platform.seen(hubspot, EMAIL), await platform.seen(netsuite, EMAIL))
    sync = command(OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=EMAIL), seen)
    refusal = "Email domain new.example is on the blocked list."
    await platform.faults(System.NETSUITE, {"reject_writes": [
        {"object_type": "customer", "record_id": netsuite.external_id, "message": refusal}]})  # fmt: skip
    async with running_syncer(settings):
        await publish(settings.kafka_bootstrap, settings.topic_prefix, sync)
        record = await final_record(mongo_uri, settings.mongodb_database, sync.command_id)

    assert record.state is CommandState.DEAD
    assert "answered 400" in (record.last_error or "")
    assert f"INVALID_PARAMETER: {refusal}" in (record.last_error or "")
    assert [a.outcome for a in record.attempts] == ["failed"], "a permanent refusal is never retried"
    assert await platform.writes(netsuite) == 0
    assert await platform.email(netsuite) == "alice@old.example"
    (result,) = await results(settings, sync.command_id)
    assert (result.outcome, result.error, result.writes) == ("dead", record.last_error, ())
    visible = await dead_commands(mongo_uri, settings.mongodb_database)
    assert visible.get(sync.command_id) == record.last_error


async def test_undo_restores_the_before_image_and_is_itself_audited(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    hubspot, netsuite = await seed_conflict(platform)
    seen = (await platform.seen(hubspot, EMAIL), await platform.seen(netsuite, EMAIL))
    sync = command(OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=EMAIL), seen)
    async with running_syncer(settings):
        await publish(settings.kafka_bootstrap, settings.topic_prefix, sync)
        await final_record(mongo_uri, settings.mongodb_database, sync.command_id)
        undo = command(UndoCommand(of_command_id=sync.command_id), (await platform.seen(netsuite, EMAIL),))
        await publish(settings.kafka_bootstrap, settings.topic_prefix, undo)
        record = await final_record(mongo_uri, settings.mongodb_database, undo.command_id)

    assert record.state is CommandState.APPLIED
    assert await platform.email(netsuite) == "alice@old.example"
    assert await platform.writes(netsuite) == 2
    (write,) = record.writes or ()
    assert (write.planned.before, write.after) == (
        {"email": "alice@new.example"},
        {"email": "alice@old.example"},
    )
    assert record.command.approved_by == "operator@example.com"
    assert record.attempts[0].finished_at is not None
