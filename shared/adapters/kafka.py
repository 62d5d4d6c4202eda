"""Kafka adapters: the broker factory, topic provisioning and the typed message publisher."""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from shared.adapters.settings import ServiceSettings
from shared.core.events import AnyMessage, all_topics, message_to_json, route

log = logging.getLogger(__name__)


def build_broker(settings: ServiceSettings, *, request_timeout_ms: int = 10_000) -> KafkaBroker:
    """A broker whose producer is idempotent with ``acks=all``: a publish that returns is durable.

    ``request_timeout_ms`` also bounds how long an unacknowledged batch lives in the producer, so a
    caller that gave up (and answered 503) does not see it delivered much later.
    """
    return KafkaBroker(
        settings.kafka_bootstrap,
        client_id=settings.service_name,
        enable_idempotence=True,
        acks="all",
        request_timeout_ms=request_timeout_ms,
        graceful_timeout=15.0,
    )


async def ensure_topics(
    bootstrap: str, prefix: str, *, partitions: int = 6, replication: int = 1, within_seconds: float = 60.0
) -> None:
    """Create every Concord topic and its dead-letter topic if missing (idempotent), then wait until
    each partition has a leader: a consumer that starts on a topic the broker does not serve yet
    fails with ``UnknownTopicOrPartitionError`` instead of waiting."""
    topics = all_topics(prefix)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=topic, num_partitions=partitions, replication_factor=replication)
            for topic in topics
            if topic not in existing
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another replica")
        await _until_led(admin, topics, within_seconds)
    finally:
        await admin.close()


async def _until_led(admin: AIOKafkaAdminClient, topics: Sequence[str], within_seconds: float) -> None:
    leaderless = list(topics)
    try:
        async with asyncio.timeout(within_seconds):
            while True:  # poll with a deadline: the broker's metadata is the only signal
                if not (leaderless := _leaderless(await admin.describe_topics(list(topics)))):
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise TimeoutError(
            f"Kafka gave no leader to {', '.join(sorted(leaderless))} within {within_seconds:.0f}s"
        ) from None


def _leaderless(described: list[dict[str, Any]]) -> list[str]:
    """The topics of a metadata answer that are unknown or have a partition without a leader."""
    return [
        topic["topic"]
        for topic in described
        if topic["error_code"] != 0
        or not topic["partitions"]
        or any(p["error_code"] != 0 or p["leader"] < 0 for p in topic["partitions"])
    ]


class KafkaMessagePublisher:
    """Publishes core messages to their topics, keyed by the core's partition key.

    ``publish_all`` hands every message to the producer in order before awaiting any
    acknowledgement, so one record's messages stay ordered and a batch costs one round trip.
    """

    def __init__(self, broker: KafkaBroker, *, prefix: str = "") -> None:
        self._broker = broker
        self._prefix = prefix

    async def publish(self, message: AnyMessage) -> None:
        await self.publish_all([message])

    async def publish_all(self, messages: list[AnyMessage]) -> None:
        pending: list[asyncio.Future[object]] = []
        for message in messages:
            target = route(message, self._prefix)
            future = await self._broker.publish(
                message_to_json(message),
                target.topic,
                key=target.key.encode(),
                headers={"message-type": message.type, "schema-version": str(message.schema_version)},
                correlation_id=message.correlation_id,
                no_confirm=True,
            )
            pending.append(future)
        await asyncio.gather(*pending)
