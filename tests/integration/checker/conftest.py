"""The checker app's settings on the session's Kafka and MongoDB, and publishing its input there."""

import pytest

from services.checker.pulse import PulseSettings
from services.checker.settings import CheckerSettings
from shared.adapters.kafka import KafkaMessagePublisher, build_broker
from shared.core.events import AnyMessage


@pytest.fixture
def settings(kafka_bootstrap: str, mongo_uri: str, unique: str) -> CheckerSettings:
    """A checker of its own database, topics and group; no pulse, short batch windows."""
    return CheckerSettings(
        kafka_bootstrap=kafka_bootstrap, mongodb_uri=mongo_uri, mongodb_database=f"test_{unique}",  # type: ignore[arg-type]
        topic_prefix=f"chk{unique}", group_id=f"checker-{unique}", pulse=PulseSettings(enabled=False),
        batch_timeout_ms=50, topic_partitions=3,
    )  # fmt: skip


async def publish(settings: CheckerSettings, *messages: AnyMessage) -> None:
    """Publish ``messages`` to the checker's topics and wait for Kafka's acknowledgement."""
    broker = build_broker(settings)
    async with broker:
        await broker.connect()
        await KafkaMessagePublisher(broker, prefix=settings.topic_prefix).publish_all(list(messages))
