"""The Kafka adapter publishes core messages durably, to their topic, under their partition key."""

import asyncio

from aiokafka import AIOKafkaConsumer

from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.settings import ServiceSettings
from shared.core.events import parse_message, partition_key, topic_for
from tests.unit.core.events.examples import every_message


async def test_every_message_type_lands_on_its_topic_with_its_key(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    prefix = topic_prefix.rstrip(".")
    await ensure_topics(kafka_bootstrap, prefix, partitions=3)
    messages = every_message()
    broker = build_broker(ServiceSettings(kafka_bootstrap=kafka_bootstrap, service_name="test"))
    async with broker:
        await broker.connect()
        await KafkaMessagePublisher(broker, prefix=prefix).publish_all(messages)

    topics = sorted({topic_for(message.type, prefix) for message in messages})
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    received: dict[str, tuple[str, bytes | None]] = {}
    try:
        async with asyncio.timeout(30):
            while len(received) < len(messages):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        parsed = parse_message(record.value or b"")
                        received[parsed.message_id] = (record.topic, record.key)
    finally:
        await consumer.stop()

    for message in messages:
        assert received[message.message_id] == (
            topic_for(message.type, prefix),
            partition_key(message).encode(),
        )
