"""Batch consumption mechanics shared by Kafka consumers: decode a batch, dead-letter what cannot be
processed, report lag, and subscribe one batch handler with an explicit commit policy.

A batch handler gets every record of one poll (several partitions, each in offset order). The
subscription commits offsets only after the handler returned (``AckPolicy.NACK_ON_ERROR``): on an
exception the consumer seeks back to the batch's first offsets and the whole batch is redelivered,
so handlers must be idempotent. A record that can never be processed (not JSON, not a known
message, a type this topic should not carry) goes to the topic's dead-letter topic instead of
blocking its partition.
"""

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

import structlog
from aiokafka import TopicPartition
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage

from shared.core.errors import InvalidInput
from shared.core.events import AnyMessage, dead_letter_topic, parse_message

log = structlog.get_logger(__name__)

M = TypeVar("M")


class Record(Protocol):
    """What a handler reads of a consumed record (aiokafka's ``ConsumerRecord`` has these)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


@dataclass(frozen=True)
class Delivered:
    """A consumed record independent of the client library (tests and replays build these)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] = ()


@dataclass(frozen=True)
class Rejected:
    """One record that goes to the dead-letter topic, and why (a reason safe to log: no payload).

    ``consumer`` names the consumer that gave up on it, when it is not the topic's only reader.
    """

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    reason: str
    headers: Sequence[tuple[str, bytes]] = ()
    consumer: str = ""

    def dead_letter_headers(self, failed_at: datetime) -> dict[str, str]:
        """The original headers plus where the record came from, who gave up on it, when and why."""
        original = {name: value.decode(errors="replace") for name, value in self.headers}
        return {
            **original,
            "dlq-reason": self.reason[:500],
            "dlq-origin": f"{self.topic}/{self.partition}/{self.offset}",
            "dlq-source-topic": self.topic,
            "dlq-source-partition": str(self.partition),
            "dlq-source-offset": str(self.offset),
            "dlq-consumer": self.consumer,
            "dlq-failed-at": failed_at.isoformat(),
        }


@dataclass
class DecodedBatch(Generic[M]):
    """A batch split into the messages to process (in record order) and the records to dead-letter."""

    messages: list[M] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def rejected_record(record: Record, reason: str, *, consumer: str = "") -> Rejected:
    """The dead-letter entry of ``record`` (value, key and headers kept byte for byte)."""
    return Rejected(
        record.topic,
        record.partition,
        record.offset,
        record.key,
        record.value or b"",
        reason,
        headers=tuple(record.headers or ()),
        consumer=consumer,
    )


def decode_batch(records: Sequence[Record], accepts: Callable[[AnyMessage], M | None]) -> DecodedBatch[M]:
    """Parse each record as a Concord message; ``accepts`` returns it typed, or None if this topic
    should not carry it. Records are kept in their order (per partition: offset order)."""
    batch: DecodedBatch[M] = DecodedBatch()
    for record in records:
        try:
            parsed = parse_message(record.value or b"")
        except InvalidInput as error:
            batch.rejected.append(rejected_record(record, str(error)))
            continue
        accepted = accepts(parsed)
        if accepted is None:
            batch.rejected.append(rejected_record(record, f"unexpected message type {parsed.type}"))
        else:
            batch.messages.append(accepted)
    return batch


class DeadLetterSink(Protocol):
    """Where rejected records go; returns only once every one is durable."""

    async def send(self, rejected: Sequence[Rejected]) -> None: ...


class DeadLetters:
    """Publishes rejected records, unchanged, to ``<topic>.dlq`` under their original key, with the
    reason and origin in headers. Replaying one means publishing its value back to the source topic."""

    def __init__(
        self, broker: KafkaBroker, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._broker = broker
        self._clock = clock

    async def send(self, rejected: Sequence[Rejected]) -> None:
        """Returns once Kafka acknowledged every dead letter."""
        pending: list[Awaitable[object]] = []
        failed_at = self._clock()
        for entry in rejected:
            headers = entry.dead_letter_headers(failed_at)
            future = await self._broker.publish(
                entry.value, dead_letter_topic(entry.topic), key=entry.key, headers=headers, no_confirm=True
            )
            if inspect.isawaitable(future):  # an in-memory test broker confirms at once
                pending.append(future)
            log.warning("dead_lettered", topic=entry.topic, partition=entry.partition, offset=entry.offset)
        await asyncio.gather(*pending)


def declare_dead_letter_topic(broker: KafkaBroker, topic: str, *, title: str, consumer: str | None) -> None:
    """Document ``topic``'s dead-letter topic in the broker's AsyncAPI: written by ``consumer`` in
    :class:`DeadLetters`' format, or (``None``) provisioned for subscribers outside Concord."""
    if consumer is None:
        description = (
            f"Provisioned for subscribers of {topic} outside Concord: park a record you cannot process "
            "here, unchanged, under its key, with headers dlq-reason and dlq-origin. No Concord service uses it."
        )
    else:
        description = (
            f"Records the {consumer} consumer could not process, unchanged, under their original key; "
            "headers dlq-reason, dlq-origin, dlq-consumer, dlq-failed-at. "
            f"Replay: publish the value back to {topic}."
        )
    broker.publisher(dead_letter_topic(topic), title=title, description=description)


class _Highwaters(Protocol):
    def highwater(self, partition: TopicPartition) -> int | None: ...


def partition_lag(records: Sequence[Record], consumer: object) -> dict[tuple[str, int], int]:
    """Records left behind the last one of this batch, per (topic, partition), from the consumer's
    latest fetch high-water marks; empty when the consumer does not know them (test brokers), and
    without partitions a rebalance took away meanwhile. Never raises: it only feeds metrics."""
    last: dict[tuple[str, int], int] = {}
    for record in records:
        last[(record.topic, record.partition)] = max(
            record.offset, last.get((record.topic, record.partition), -1)
        )
    highwater = getattr(consumer, "highwater", None)
    if highwater is None:
        return {}
    marks: _Highwaters = consumer  # type: ignore[assignment]  # checked above: an AIOKafkaConsumer
    lag: dict[tuple[str, int], int] = {}
    for (topic, partition), offset in last.items():
        try:
            mark = marks.highwater(TopicPartition(topic, partition))
        except AssertionError:  # revoked by a rebalance since the batch was fetched: no longer ours
            continue
        if mark is not None:
            lag[(topic, partition)] = max(0, mark - offset - 1)
    return lag


BatchHandler = Callable[[Sequence[Record], object], Awaitable[None]]
"""(records of one poll, the consumer that fetched them) -> None; raising redelivers the batch."""


@dataclass(frozen=True)
class BatchSubscription:
    """Where and how a batch handler consumes: topic, group, batch size, and the pause after a failure."""

    topic: str
    group_id: str
    max_records: int
    title: str
    description: str
    batch_timeout_ms: int = 200
    retry_delay_seconds: float = 1.0


def subscribe_batches(broker: KafkaBroker, subscription: BatchSubscription, handler: BatchHandler) -> None:
    """Register ``handler`` on ``broker``: offsets are committed after it returns, never before.

    After a failure the handler's batch is redelivered after ``retry_delay_seconds`` (the pause keeps
    a broken dependency from turning into a hot loop).
    """

    @broker.subscriber(
        subscription.topic,
        group_id=subscription.group_id,
        batch=True,
        max_records=subscription.max_records,
        batch_timeout_ms=subscription.batch_timeout_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=subscription.title,
        description=subscription.description,
    )
    async def consume(message: KafkaMessage = Context("message")) -> None:  # noqa: B008 - FastStream's injection marker
        records: Sequence[Record] = tuple(message.raw_message)
        try:
            await handler(records, message.consumer)
        except Exception:
            log.exception("batch_failed", topic=subscription.topic, records=len(records))
            await asyncio.sleep(subscription.retry_delay_seconds)
            raise


__all__ = [
    "BatchHandler",
    "BatchSubscription",
    "DeadLetterSink",
    "DeadLetters",
    "DecodedBatch",
    "Delivered",
    "Record",
    "Rejected",
    "decode_batch",
    "partition_lag",
    "rejected_record",
    "subscribe_batches",
]
