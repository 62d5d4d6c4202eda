"""The syncer app under FastStream's in-memory Kafka broker, on an in-memory command store and platforms:
exactly-once application, duplicates, stale commands, dead letters, permanent failures, retries that
wait in the store and the scheduler that sends them back."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from faststream import Context
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.message import KafkaMessage

from services.syncer.app import SyncerPorts, build_app
from services.syncer.retries import RetryScheduler, RetryScheduling
from services.syncer.settings import RetrySettings, SyncerSettings
from shared.core.errors import Invalid, Unavailable
from shared.core.events import (
    OneDirectionSync,
    RefreshRequested,
    SeenRecord,
    SyncCommand,
    SyncResult,
    first_in_chain,
    message_to_json,
    new_message_id,
    topic_for,
)
from shared.core.model import Customer, EntityId, EntityType, ExternalRef, Surface, System
from shared.core.ports import MessagePublisher
from shared.core.snapshot import CustomerSnapshot
from shared.core.sync import CommandRecord, CommandState
from shared.core.sync.fakes import FakeCommandStore
from shared.core.testing import RecordingPublisher
from tests.component.syncer.fakes import BrokerPublisher, Clock, FakePlatforms, FakeWriteRecorder

PREFIX = "syncer"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COMMANDS = topic_for("sync_command", PREFIX)
ONE_WAY = OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",))


def ref(system: System, record_id: str) -> ExternalRef:
    object_type = "contacts" if system is System.HUBSPOT else "customer"
    return ExternalRef(system=system, object_type=object_type, external_id=record_id)


def customer(record: ExternalRef, email: str, version: str = "1") -> CustomerSnapshot:
    return CustomerSnapshot(ref=record, represented=frozenset({"email"}), source_version=version, observed_at=NOW,
                            surface=Surface.PULSE, values=Customer(email=email))  # fmt: skip


def command(*seen: CustomerSnapshot, entity: str = "ent_a", key: str | None = None) -> SyncCommand:
    command_id = new_message_id()
    return SyncCommand(
        **first_in_chain(producer="dashboard", produced_at=NOW, message_id=command_id), command_id=command_id,
        idempotency_key=key or new_message_id(), entity_id=EntityId(entity), entity_type=EntityType.CUSTOMER,
        dimension="customer_contact", action=ONE_WAY, approved_by="op@example.com", approved_at=NOW,
        seen=tuple(SeenRecord(ref=s.ref, source_version=s.source_version, values={"email": s.values.email})
                   for s in seen),
    )  # fmt: skip


ALICE_CRM, ALICE_ERP = ref(System.HUBSPOT, "1"), ref(System.NETSUITE, "11")
BOB_CRM, BOB_ERP = ref(System.HUBSPOT, "2"), ref(System.NETSUITE, "12")


@dataclass
class Syncer:
    broker: KafkaBroker
    store: FakeCommandStore
    platforms: FakePlatforms
    write_log: FakeWriteRecorder
    publisher: BrokerPublisher
    clock: Clock
    dead: list[bytes]

    def scheduler(
        self, requeue_after: float = 60.0, publisher: MessagePublisher | None = None
    ) -> RetryScheduler:
        scheduling = RetryScheduling(requeue_after=timedelta(seconds=requeue_after))
        return RetryScheduler(self.store, publisher or self.publisher, self.clock, scheduling)

    def record(self, command: SyncCommand) -> CommandRecord:
        return self.store.records[command.command_id]

    def results(self, command: SyncCommand) -> list[SyncResult]:
        return [
            m
            for m in self.publisher.published
            if isinstance(m, SyncResult) and m.command_id == command.command_id
        ]

    def refreshes(self) -> list[RefreshRequested]:
        return [m for m in self.publisher.published if isinstance(m, RefreshRequested)]


def syncer() -> Syncer:
    broker = KafkaBroker("localhost:9092")
    platforms = FakePlatforms(customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"),
                              customer(BOB_CRM, "bob@new.example"), customer(BOB_ERP, "bob@old.example"))  # fmt: skip
    parts = Syncer(broker, FakeCommandStore(), platforms, FakeWriteRecorder(), BrokerPublisher(broker, PREFIX),
                   Clock(NOW), [])  # fmt: skip
    settings = SyncerSettings(
        topic_prefix=PREFIX, retry=RetrySettings(max_attempts=3, base_delay_seconds=5.0)
    )
    build_app(settings, ports=SyncerPorts(broker=broker, clock=parts.clock, store=parts.store,
                                          write_log=parts.write_log, platforms=platforms, publisher=parts.publisher))  # fmt: skip

    @broker.subscriber(f"{COMMANDS}.dlq")
    async def dead_letter(message: KafkaMessage = Context("message")) -> None:  # noqa: B008 - FastStream's marker
        parts.dead.append(message.body)

    return parts


async def send(test_broker: TestKafkaBroker, *commands: SyncCommand) -> None:
    for sync in commands:
        await test_broker.publish(message_to_json(sync), COMMANDS, key=sync.entity_id.encode())


async def test_an_approved_command_is_applied_once_even_when_delivered_twice() -> None:
    app = syncer()
    sync = command(customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"))
    async with TestKafkaBroker(app.broker) as test_broker:
        await send(test_broker, sync, sync)

    record = app.record(sync)
    assert record.state is CommandState.APPLIED
    assert app.platforms.writes_to(ALICE_ERP) == 1
    assert app.platforms.records[ALICE_ERP.key].values.email == "alice@new.example"
    ((result,), (refresh,)) = app.results(sync), app.refreshes()
    assert (result.outcome, [w.after for w in result.writes]) == ("applied", [{"email": "alice@new.example"}])
    assert (refresh.refs, refresh.reason) == ((ALICE_ERP,), "sync_readback")
    (logged,) = app.write_log.writes.values()
    assert (logged.expected, logged.resulting_version) == ({"email": "alice@new.example"}, "2")
    assert logged.provenance_tag == app.platforms.writes[0][1]


async def test_a_second_approval_with_the_same_idempotency_key_is_dropped() -> None:
    app = syncer()
    seen = (customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"))
    first, again = command(*seen, key="approval-1"), command(*seen, key="approval-1")
    async with TestKafkaBroker(app.broker) as test_broker:
        await send(test_broker, first, again)

    assert app.record(first).state is CommandState.APPLIED
    assert again.command_id not in app.store.records
    assert app.platforms.writes_to(ALICE_ERP) == 1
    assert app.results(again) == []


async def test_a_record_that_is_no_command_goes_to_the_dead_letter_topic_and_the_next_command_is_applied() -> (
    None
):
    app = syncer()
    sync = command(customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"))
    async with TestKafkaBroker(app.broker) as test_broker:
        await test_broker.publish(b"not a command", COMMANDS, key=b"x")
        await send(test_broker, sync)

    assert app.dead == [b"not a command"]
    assert app.record(sync).state is CommandState.APPLIED


async def test_a_target_changed_since_approval_is_rejected_and_nothing_is_written() -> None:
    app = syncer()
    sync = command(customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"))
    app.platforms.records[ALICE_ERP.key] = customer(ALICE_ERP, "alice@elsewhere.example", version="2")
    async with TestKafkaBroker(app.broker) as test_broker:
        await send(test_broker, sync)

    record = app.record(sync)
    assert record.state is CommandState.REJECTED
    assert "changed since approval" in (record.last_error or "")
    assert app.platforms.writes == []
    assert app.write_log.writes == {}
    ((result,), (refresh,)) = app.results(sync), app.refreshes()
    assert (result.outcome, refresh.reason) == ("rejected_stale", "recheck")


async def test_a_write_the_platform_refuses_as_invalid_goes_dead_after_one_attempt_with_its_message() -> None:
    app = syncer()
    sync = command(customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"))
    app.platforms.failures = [
        Invalid("netsuite PATCH answered 400", details="INVALID_PARAMETER: email is blocked")
    ]
    async with TestKafkaBroker(app.broker) as test_broker:
        await send(test_broker, sync)

    record = app.record(sync)
    assert record.state is CommandState.DEAD
    assert record.last_error == "netsuite PATCH answered 400: INVALID_PARAMETER: email is blocked"
    assert [a.outcome for a in record.attempts] == ["failed"]
    assert [r.outcome for r in app.results(sync)] == ["dead"]
    assert await app.scheduler().requeue_due() == []


async def test_a_command_retrying_waits_in_the_store_and_does_not_hold_up_the_next_command() -> None:
    app = syncer()
    alice = command(customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"))
    bob = command(customer(BOB_CRM, "bob@new.example"), customer(BOB_ERP, "bob@old.example"), entity="ent_b")
    app.platforms.failures = [Unavailable("netsuite PATCH answered 503")]
    async with TestKafkaBroker(app.broker) as test_broker:
        await send(test_broker, alice, bob)
        waiting = app.record(alice)
        not_yet = await app.scheduler().requeue_due()
        app.clock.advance(5)
        requeued = await app.scheduler().requeue_due()

    assert app.record(bob).state is CommandState.APPLIED
    assert (waiting.state, waiting.next_attempt_at) == (CommandState.RETRYING, NOW + timedelta(seconds=5))
    assert (not_yet, requeued) == ([], [alice.command_id])
    record = app.record(alice)
    assert record.state is CommandState.APPLIED
    assert [a.outcome for a in record.attempts] == ["failed", "applied"]
    assert app.platforms.writes_to(ALICE_ERP) == 1
    assert [r.outcome for r in app.results(alice)] == ["failed", "applied"]


async def test_a_retrying_command_delivered_again_before_it_is_due_is_not_attempted() -> None:
    app = syncer()
    sync = command(customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"))
    app.platforms.failures = [Unavailable("netsuite PATCH answered 503")]
    async with TestKafkaBroker(app.broker) as test_broker:
        await send(test_broker, sync)
        app.clock.advance(4)
        await send(test_broker, sync)

    record = app.record(sync)
    assert record.state is CommandState.RETRYING
    assert len(record.attempts) == 1
    assert app.platforms.writes == []


async def test_a_requeued_command_is_sent_once_until_its_requeue_window_passes() -> None:
    app = syncer()
    sync = command(customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"))
    app.platforms.failures = [Unavailable("netsuite PATCH answered 503")]
    async with TestKafkaBroker(app.broker) as test_broker:
        await send(test_broker, sync)
    app.clock.advance(5)
    # The requeued copies are only recorded, never consumed: like sends lost in a crash.
    lost = RecordingPublisher()
    first, other_replica = app.scheduler(30, lost), app.scheduler(30, lost)

    sent = [await first.requeue_due(), await other_replica.requeue_due()]
    app.clock.advance(30)
    sent_again = await other_replica.requeue_due()

    assert sent == [[sync.command_id], []]
    assert sent_again == [sync.command_id]
    assert lost.published == [sync, sync]


async def test_a_command_interrupted_after_its_platform_write_is_found_done_and_not_written_twice() -> None:
    app = syncer()
    sync = command(customer(ALICE_CRM, "alice@new.example"), customer(ALICE_ERP, "alice@old.example"))
    original_save = app.store.save

    async def crash_after_the_write(record: CommandRecord) -> CommandRecord:
        if app.platforms.writes and record.state is CommandState.APPLYING:
            raise ConnectionError("the syncer died before recording its write")
        return await original_save(record)

    async with TestKafkaBroker(app.broker) as test_broker:
        app.store.save = crash_after_the_write  # type: ignore[method-assign]  # a crash at one precise step
        with contextlib.suppress(ConnectionError):
            await send(test_broker, sync)
        app.store.save = original_save  # type: ignore[method-assign]  # the restarted syncer
        await send(test_broker, sync)

    record = app.record(sync)
    assert record.state is CommandState.APPLIED
    assert [a.outcome for a in record.attempts] == ["interrupted", "applied"]
    assert app.platforms.writes_to(ALICE_ERP) == 1
    (write,) = record.writes or ()
    assert write.after == {"email": "alice@new.example"}
