"""The foundation works for real: Kafka round-trips typed messages, MongoDB enforces unique indexes."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from pydantic import BaseModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError


class PriceChanged(BaseModel):
    sku: str
    price: Decimal
    changed_at: datetime


async def test_faststream_round_trips_a_pydantic_message_through_real_kafka(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}prices"
    received: asyncio.Future[PriceChanged] = asyncio.get_running_loop().create_future()
    broker = KafkaBroker(kafka_bootstrap, enable_idempotence=True)

    @broker.subscriber(
        topic, group_id=f"{topic_prefix}g", auto_offset_reset="earliest", ack_policy=AckPolicy.ACK
    )
    async def on_price(message: PriceChanged) -> None:
        if not received.done():
            received.set_result(message)

    sent = PriceChanged(
        sku="SKU-1", price=Decimal("27.99"), changed_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    )
    async with broker:
        await broker.start()
        await broker.publish(sent, topic, key=b"SKU-1")
        got = await asyncio.wait_for(received, timeout=60)

    assert got == sent


async def test_idempotent_producer_is_accepted_by_the_chosen_kafka(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    # aiokafka only speaks InitProducerId v0; this proves the pinned broker still accepts it (STACK.md §2.6).
    topic = f"{topic_prefix}idempotent"
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for index in range(3):
            await producer.send_and_wait(topic, f"m{index}".encode(), key=b"k")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        values: list[bytes] = []
        async with asyncio.timeout(30):
            while len(values) < 3:
                batch = await consumer.getmany(timeout_ms=500)
                values += [record.value for records in batch.values() for record in records if record.value]
    finally:
        await consumer.stop()
    assert values == [b"m0", b"m1", b"m2"]


def test_mongodb_writes_reads_and_enforces_a_unique_index(mongo_db: Database[dict[str, object]]) -> None:
    processed = mongo_db["processed_messages"]
    processed.create_index([("consumer", 1), ("message_id", 1)], unique=True)

    processed.insert_one({"consumer": "checker", "message_id": "m-1", "at": datetime(2026, 1, 1, tzinfo=UTC)})
    found = processed.find_one({"consumer": "checker", "message_id": "m-1"})
    assert found is not None
    assert found["at"] == datetime(2026, 1, 1, tzinfo=UTC)

    with pytest.raises(DuplicateKeyError):
        processed.insert_one({"consumer": "checker", "message_id": "m-1"})
    processed.insert_one({"consumer": "syncer", "message_id": "m-1"})
    assert processed.count_documents({}) == 2
