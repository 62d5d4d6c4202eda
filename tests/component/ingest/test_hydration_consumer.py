"""The hydration consumer over fakes: what a micro-batch of raw notifications becomes, what is
dead-lettered, what is retried, and what a redelivery costs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from faststream.kafka import TestKafkaBroker

from services.ingest.app import HYDRATION_CONSUMER, register_consumers
from services.ingest.consumers import BatchConsumer, ConsumerPorts
from services.ingest.hydration import Hydrator
from services.ingest.metrics import IngestMetrics
from services.ingest.settings import IngestSettings
from shared.adapters.batches import Delivered
from shared.adapters.kafka import build_broker
from shared.core.errors import MalformedResponse, Unavailable
from shared.core.events import (
    RawNotificationReceived,
    RecordDeleted,
    RecordObserved,
    first_in_chain,
    message_to_json,
    raw_notification_id,
    topic_for,
)
from shared.core.model import ExternalRef, Surface, System
from shared.core.testing import FakeProcessedLedger, RecordingPublisher
from tests.component.ingest.fakes import FakeConnector, RecordingDeadLetters, contact

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def raw_hubspot(
    event_id: int, object_id: int, kind: str = "contact.propertyChange", **extra: object
) -> RawNotificationReceived:
    body = {
        "eventId": event_id, "subscriptionId": 25, "portalId": 62515, "occurredAt": 1_764_300_000_000 + event_id,
        "subscriptionType": kind, "objectId": object_id, **extra,
    }  # fmt: skip
    delivery_id = f"62515:25:{event_id}"
    return RawNotificationReceived(
        **first_in_chain(producer="ingest", produced_at=NOW, message_id=raw_notification_id(System.HUBSPOT, delivery_id, 0)),
        system=System.HUBSPOT, topic=kind, delivery_id=delivery_id, event_id=str(event_id), event_index=0,
        received_at=NOW, body=json.dumps(body),
        ref=ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id=str(object_id)),
    )  # fmt: skip


def delivered(*messages: RawNotificationReceived | bytes) -> list[Delivered]:
    return [
        Delivered("raw", 0, offset, b"k", m if isinstance(m, bytes) else message_to_json(m))
        for offset, m in enumerate(messages)
    ]


@pytest.fixture
def connector() -> FakeConnector:
    return FakeConnector(records={str(i): contact(str(i)) for i in range(51, 56)})


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def letters() -> RecordingDeadLetters:
    return RecordingDeadLetters()


@pytest.fixture
def processed() -> FakeProcessedLedger:
    return FakeProcessedLedger()


@pytest.fixture
def consumer(
    connector: FakeConnector,
    publisher: RecordingPublisher,
    letters: RecordingDeadLetters,
    processed: FakeProcessedLedger,
) -> BatchConsumer[RawNotificationReceived]:
    ports = ConsumerPorts(publisher, letters, processed, IngestMetrics(), lambda: NOW)
    hydrator = Hydrator({System.HUBSPOT: connector}, clock=lambda: NOW)
    return BatchConsumer(HYDRATION_CONSUMER, RawNotificationReceived, hydrator.hydrate, ports)


async def test_thin_events_are_hydrated_with_one_batch_read_into_full_webhook_observations(
    consumer: BatchConsumer[RawNotificationReceived], connector: FakeConnector, publisher: RecordingPublisher
) -> None:
    await consumer.handle(delivered(*(raw_hubspot(100 + i, 51 + i) for i in range(3))))

    assert connector.batch_reads == [["51", "52", "53"]]
    assert [type(m) for m in publisher.published] == [RecordObserved] * 3
    first = publisher.published[0]
    assert isinstance(first, RecordObserved)
    assert first.surface is Surface.WEBHOOK
    assert first.record["properties"] == {"email": "a@acme.example", "lastname": "Full"}
    assert first.platform_event_id == "62515:25:100"


async def test_several_events_about_one_record_give_one_observation_after_the_records_deletion(
    consumer: BatchConsumer[RawNotificationReceived], publisher: RecordingPublisher
) -> None:
    batch = [
        raw_hubspot(1, 51),
        raw_hubspot(2, 52, "contact.deletion"),
        raw_hubspot(3, 51),
        raw_hubspot(4, 51),
    ]

    await consumer.handle(delivered(*batch))

    assert [(type(m).__name__, m.ref.external_id) for m in publisher.published] == [  # type: ignore[union-attr]
        ("RecordDeleted", "52"),
        ("RecordObserved", "51"),
    ]
    assert publisher.published[1].causation_id == batch[3].message_id


async def test_a_record_that_poisons_the_batch_read_is_dead_lettered_alone(
    consumer: BatchConsumer[RawNotificationReceived],
    connector: FakeConnector,
    publisher: RecordingPublisher,
    letters: RecordingDeadLetters,
) -> None:
    connector.poison["52"] = MalformedResponse("unparseable record")

    await consumer.handle(delivered(raw_hubspot(1, 51), raw_hubspot(2, 52), b"not a message"))

    assert [m.ref.external_id for m in publisher.published] == ["51"]  # type: ignore[union-attr]
    assert [(letter.offset, letter.reason.split(":")[0]) for letter in letters.letters] == [
        (2, "invalid message"),
        (1, "MalformedResponse"),
    ]


async def test_a_platform_outage_fails_the_batch_without_publishing_or_recording_anything(
    consumer: BatchConsumer[RawNotificationReceived],
    connector: FakeConnector,
    publisher: RecordingPublisher,
    processed: FakeProcessedLedger,
) -> None:
    connector.outage = Unavailable("hubspot answered 503")

    with pytest.raises(Unavailable):
        await consumer.handle(delivered(raw_hubspot(1, 51)))

    assert publisher.published == []
    assert processed.recorded == {}


async def test_a_redelivered_notification_is_not_read_again(
    consumer: BatchConsumer[RawNotificationReceived], connector: FakeConnector, publisher: RecordingPublisher
) -> None:
    await consumer.handle(delivered(raw_hubspot(1, 51)))
    await consumer.handle(delivered(raw_hubspot(1, 51), raw_hubspot(1, 51)))

    assert connector.batch_reads == [["51"]]
    assert len(publisher.published) == 1


async def test_events_about_types_concord_does_not_reconcile_are_consumed_without_output(
    consumer: BatchConsumer[RawNotificationReceived],
    publisher: RecordingPublisher,
    letters: RecordingDeadLetters,
) -> None:
    await consumer.handle(delivered(raw_hubspot(1, 31300, "company.propertyChange")))

    assert publisher.published == []
    assert letters.letters == []


async def test_a_merge_deletes_the_merged_records_into_the_survivor_and_reads_the_survivor(
    consumer: BatchConsumer[RawNotificationReceived], publisher: RecordingPublisher
) -> None:
    merge = raw_hubspot(9, 51, "contact.merge", primaryObjectId=51, mergedObjectIds=[51, 54])

    await consumer.handle(delivered(merge))

    deleted, observed = publisher.published
    assert isinstance(deleted, RecordDeleted)
    assert (deleted.ref.external_id, deleted.merged_into) == ("54", observed.ref)  # type: ignore[union-attr]
    assert isinstance(observed, RecordObserved)


async def test_the_registered_subscriber_hydrates_a_batch_published_on_the_raw_topic(
    connector: FakeConnector, publisher: RecordingPublisher, letters: RecordingDeadLetters
) -> None:
    settings = IngestSettings(
        hubspot_client_secret="a",
        shopify_api_secret="b",
        netsuite_callout_secret="c",
        topic_prefix="component",
    )
    broker = build_broker(settings)
    ports = ConsumerPorts(publisher, letters, FakeProcessedLedger(), IngestMetrics(), lambda: NOW)
    register_consumers(broker, settings, {System.HUBSPOT: connector}, ports)

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(
            message_to_json(raw_hubspot(1, 51)), topic_for("raw_notification_received", "component")
        )

    assert [m.ref.key for m in publisher.published] == ["hubspot:contacts:51"]  # type: ignore[union-attr]


async def test_a_hydrated_record_is_dated_by_its_read_not_by_when_the_batch_began(
    connector: FakeConnector,
) -> None:
    # Versions have whole seconds, so the observation time orders two reads of one version: a poll
    # that read the record while this batch was starting must rank below this later read.
    ticks = iter([NOW, NOW.replace(second=3)])
    hydrator = Hydrator({System.HUBSPOT: connector}, clock=lambda: next(ticks))

    outcome = await hydrator.hydrate([raw_hubspot(100, 51)])

    (observed,) = outcome.messages
    assert isinstance(observed, RecordObserved)
    assert observed.observed_at == NOW.replace(second=3)
