"""Reading what landed on a Kafka topic, without a consumer group (tests only)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.core.events import AnyMessage, parse_message

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


async def read_records(
    bootstrap: str, topic: str, *, until: Callable[[list[Record]], bool], seconds: float = 30.0
) -> list[Record]:
    """Every record of ``topic`` from the beginning, once ``until(records)`` holds or ``seconds`` passed."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    records: list[Record] = []
    try:
        partitions = await _partitions(consumer, bootstrap, topic)
        if partitions:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while partitions and not until(records) and loop.time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def read_messages(
    bootstrap: str, topic: str, *, until: Callable[[list[AnyMessage]], bool], seconds: float = 30.0
) -> list[AnyMessage]:
    """Like :func:`read_records`, parsed as Concord messages."""
    records = await read_records(
        bootstrap, topic, until=lambda got: until([parse_message(r.value) for r in got]), seconds=seconds
    )
    return [parse_message(record.value) for record in records]


async def record_count(bootstrap: str, topic: str) -> int:
    """How many records ``topic`` holds (0 for a topic that does not exist)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, bootstrap, topic)
        if not partitions:
            return 0
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        return sum(ends[p] - starts[p] for p in partitions)
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, bootstrap: str, topic: str) -> list[TopicPartition]:
    if topic not in await consumer.topics():
        return []
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [
        TopicPartition(topic, p["partition"])
        for p in sorted(description["partitions"], key=lambda p: p["partition"])
    ]
