"""The topics ingest publishes, declared on a broker so its AsyncAPI document describes them.

Ingest publishes through ``KafkaMessagePublisher`` (routed by the core's topic table) and dead-letters
through ``DeadLetters``; these declarations only document the channels with their message schemas.
"""

from typing import Annotated

from faststream.kafka import KafkaBroker
from pydantic import Field

from shared.adapters.batches import declare_dead_letter_topic
from shared.core.events import (
    RawNotificationReceived,
    RecordDeleted,
    RecordObserved,
    topic_for,
)

ObservationTopicMessage = Annotated[RecordObserved | RecordDeleted, Field(discriminator="type")]

RAW_DESCRIPTION = (
    "RawNotificationReceived, keyed by platform record (system:object_type:id): a verified webhook "
    "delivery, made durable before the platform is answered. Ingest hydrates it into an observation."
)
OBSERVATIONS_DESCRIPTION = (
    "RecordObserved and RecordDeleted, keyed by platform record, from hydration, polling and refresh: "
    "a full observation of one record in canonical terms. Deletions share the topic so one record's "
    "history stays in order. JSON Schemas: docs/asyncapi/schemas/<type>.v<schema_version>.json."
)


def declare_published_topics(broker: KafkaBroker, prefix: str) -> None:
    """Declare the raw-notification and observation topics, and ingest's dead-letter topics."""
    broker.publisher(
        topic_for("raw_notification_received", prefix), schema=RawNotificationReceived,
        title="notifications.raw", description=RAW_DESCRIPTION,
    )  # fmt: skip
    broker.publisher(
        topic_for("record_observed", prefix), schema=ObservationTopicMessage, title="records.observed",
        description=OBSERVATIONS_DESCRIPTION,
    )  # fmt: skip
    consumed = (
        ("hydration", topic_for("raw_notification_received", prefix)),
        ("refresh", topic_for("refresh_requested", prefix)),
    )
    for consumer, topic in consumed:
        declare_dead_letter_topic(broker, topic, title=f"{consumer}.dead_letters", consumer=consumer)
