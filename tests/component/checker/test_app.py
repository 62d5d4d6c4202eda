"""The whole checker app under FastStream's in-memory Kafka broker, on fakes: wiring, batching, DLQ."""

import asyncio

from faststream import Context
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.message import KafkaMessage

from services.checker.app import CheckerPorts, build_app
from services.checker.pulse import PulseSettings
from services.checker.settings import CheckerSettings
from shared.core.events import AnyMessage, EntityChanged, message_to_json, route, topic_for
from shared.core.model import System
from shared.core.testing.checker_fakes import (
    FakeDiscrepancyRepository,
    FakeEntityRepository,
    FakeProcessedLedger,
    FakeSnapshotRepository,
)
from shared.core.testing.pulse_fakes import FakeCheckStateStore, FakeSyncWriteLog
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    netsuite_customer,
    observed,
    ref,
    shopify_customer,
)

PREFIX = "app"


class BrokerPublisher:
    """Publishes through the (test) broker the way ``KafkaMessagePublisher`` does, awaiting each send."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(self, message: AnyMessage) -> None:
        await self.publish_all([message])

    async def publish_all(self, messages: list[AnyMessage]) -> None:
        for message in messages:
            target = route(message, PREFIX)
            await self._broker.publish(message_to_json(message), target.topic, key=target.key.encode())


async def test_observations_flow_through_both_stages_and_garbage_goes_to_the_dead_letter_topic() -> None:
    broker = KafkaBroker("localhost:9092")
    ports = CheckerPorts(
        broker=broker, publisher=BrokerPublisher(broker), snapshots=FakeSnapshotRepository(),
        entities=FakeEntityRepository(), discrepancies=(discrepancies := FakeDiscrepancyRepository()),
        check_states=(states := FakeCheckStateStore()), sync_writes=FakeSyncWriteLog(), ledger=FakeProcessedLedger(),
    )  # fmt: skip
    settings = CheckerSettings(topic_prefix=PREFIX, ensure_topics=False, pulse=PulseSettings(enabled=False))
    build_app(settings, ports=ports)
    dead: list[bytes] = []
    changes: list[EntityChanged] = []

    @broker.subscriber(f"{topic_for('record_observed', PREFIX)}.dlq")
    async def dead_letter(message: KafkaMessage = Context("message")) -> None:  # noqa: B008 - FastStream's marker
        dead.append(message.body)

    @broker.subscriber(topic_for("entity_changed", PREFIX), group_id="spy")
    async def spy(change: EntityChanged) -> None:
        changes.append(change)

    trio = [
        observed(ref(System.HUBSPOT, "1"), hubspot_contact("1", email="c1@acme.example"), updated=T0),
        observed(ref(System.SHOPIFY, "7001"), shopify_customer("7001", email="c1@acme.example"), updated=T0),
        observed(ref(System.NETSUITE, "101"), netsuite_customer("101", email="old@acme.example", names="shopify:7001"), updated=T0),
    ]  # fmt: skip
    async with TestKafkaBroker(broker) as test_broker:
        topic = topic_for("record_observed", PREFIX)
        await test_broker.publish(b"not json", topic, key=b"x")
        for message in trio:
            await test_broker.publish(message_to_json(message), topic, key=message.ref.key.encode())
        async with asyncio.timeout(10):
            while True:  # poll with a deadline: the in-memory broker hands over at once
                if discrepancies.items:
                    break
                await asyncio.sleep(0.05)

    assert dead == [b"not json"]
    assert len(changes) == 3 and len({change.entity_id for change in changes}) == 1
    kinds = {
        item.discrepancy.dimension: item.discrepancy.finding.kind.value
        for item in discrepancies.items.values()
    }
    assert kinds == {"customer_contact": "hard_conflict"}
    assert states.states, "check state recorded for every evaluated dimension"
