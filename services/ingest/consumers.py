"""Ingest's Kafka consumers: raw notifications -> hydration, refresh requests -> refresh.

Both read micro-batches under ``AckPolicy.MANUAL`` and commit a batch only after everything it
produced is acknowledged by Kafka: its output messages and its dead letters. A message that can never
be processed (not a Concord message, the wrong type, a payload the platform rejects) goes to the
topic's dead-letter topic with the reason and is committed with its batch. Any other failure (the
platform or Kafka unreachable, MongoDB down, a bug) leaves the batch uncommitted: after a pause the
consumer seeks back and reads it again. Redelivery is expected; every output id is natural, and the
consumer records what it finished (``ProcessedMessages``) so a redelivered input is not re-read.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import structlog
from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.ingest.dead_letters import DeadLetter, DeadLetterSink, Delivered
from services.ingest.metrics import IngestMetrics
from services.ingest.reading import Outcome
from shared.core.errors import InvalidInput
from shared.core.events import AnyMessage, Message, RecordDeleted, RecordObserved, parse_message
from shared.core.ports import MessagePublisher, ProcessedMessages

log = structlog.get_logger(__name__)

M = TypeVar("M", bound=Message)


@dataclass(frozen=True)
class ConsumerPorts:
    """What every ingest consumer writes to."""

    publisher: MessagePublisher
    dead_letters: DeadLetterSink
    processed: ProcessedMessages
    metrics: IngestMetrics
    clock: Callable[[], datetime]


class BatchConsumer(Generic[M]):
    """Decode, skip what was done, process, publish, dead-letter, record; the mechanics of a consumer.

    ``process`` is the use case; it raises for transient failures and reports permanent ones in
    ``Outcome.failed``.
    """

    def __init__(
        self,
        name: str,
        accepts: type[M],
        process: Callable[[list[M]], Awaitable[Outcome]],
        ports: ConsumerPorts,
    ) -> None:
        self.name = name
        self._accepts = accepts
        self._process = process
        self._ports = ports

    @property
    def metrics(self) -> IngestMetrics:
        return self._ports.metrics

    async def handle(self, batch: Sequence[Delivered]) -> None:
        """Process one batch; returns once its results are durable, raises if the batch must be retried."""
        letters: list[DeadLetter] = []
        decoded = [(delivered, self._decode(delivered, letters)) for delivered in batch]
        fresh = await self._not_yet_processed([(d, m) for d, m in decoded if m is not None])
        outcome = await self._process([message for _, message in fresh]) if fresh else Outcome()
        letters.extend(
            self._letter(d, outcome.failed[m.message_id]) for d, m in fresh if m.message_id in outcome.failed
        )
        await self._ports.publisher.publish_all(outcome.messages)
        await self._ports.dead_letters.send_all(letters)
        await self._record_done([m for _, m in fresh if m.message_id not in outcome.failed])
        self._count(outcome, letters)

    def _decode(self, delivered: Delivered, letters: list[DeadLetter]) -> M | None:
        try:
            message: AnyMessage = parse_message(delivered.value)
        except InvalidInput as error:
            letters.append(self._letter(delivered, str(error)))
            return None
        if not isinstance(message, self._accepts):
            letters.append(self._letter(delivered, f"{self.name} does not consume {message.type} messages"))
            return None
        return message

    async def _not_yet_processed(self, decoded: list[tuple[Delivered, M]]) -> list[tuple[Delivered, M]]:
        first_copies: dict[str, tuple[Delivered, M]] = {}
        for pair in decoded:
            first_copies.setdefault(pair[1].message_id, pair)
        unique = list(first_copies.values())
        seen = await asyncio.gather(*(self._ports.processed.seen(self.name, m.message_id) for _, m in unique))
        skipped = sum(seen)
        if skipped or len(unique) < len(decoded):
            log.info("redeliveries_skipped", consumer=self.name, count=len(decoded) - len(unique) + skipped)
        return [pair for pair, done in zip(unique, seen, strict=True) if not done]

    async def _record_done(self, messages: list[M]) -> None:
        now = self._ports.clock()
        await asyncio.gather(
            *(self._ports.processed.record(self.name, m.message_id, at=now) for m in messages)
        )

    def _letter(self, delivered: Delivered, reason: str) -> DeadLetter:
        log.warning(
            "dead_lettered", consumer=self.name, topic=delivered.topic, offset=delivered.offset, reason=reason
        )
        return DeadLetter(delivered, reason, self.name, self._ports.clock())

    def _count(self, outcome: Outcome, letters: list[DeadLetter]) -> None:
        metrics = self._ports.metrics
        if letters:
            metrics.dead_lettered.labels(self.name).inc(len(letters))
        for message in outcome.messages:
            if isinstance(message, RecordObserved | RecordDeleted):
                metrics.observations_published.labels(message.ref.system.value, message.surface.value).inc()


def delivered_from(record: "ConsumerRecord[Any, Any]") -> Delivered:
    """The library-independent view of an aiokafka record."""
    return Delivered(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value or b"",
        headers=tuple(record.headers or ()),
    )


@dataclass(frozen=True)
class Subscription:
    """Where and how a consumer reads: topic, group, micro-batch size and wait, pause after a failure."""

    topic: str
    group_id: str
    max_records: int
    batch_timeout_ms: int
    retry_seconds: float


def subscribe(broker: KafkaBroker, consumer: BatchConsumer[Any], subscription: Subscription) -> None:
    """Register ``consumer`` on ``broker``: batches, manual commits, earliest offset for a new group."""

    @broker.subscriber(
        subscription.topic,
        group_id=subscription.group_id,
        batch=True,
        max_records=subscription.max_records,
        batch_timeout_ms=subscription.batch_timeout_ms,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        title=f"{consumer.name}:{subscription.topic}",
    )
    async def on_batch(message: KafkaMessage) -> None:
        raw = message.raw_message
        records = tuple(raw) if isinstance(raw, tuple | list) else (raw,)  # the test broker passes a list
        try:
            await consumer.handle([delivered_from(record) for record in records])
        except Exception as error:  # noqa: BLE001 - any failure: keep the batch uncommitted and read it again
            log.error("batch_failed", consumer=consumer.name, records=len(records), error=repr(error)[:500])
            consumer.metrics.batch_retries.labels(consumer.name).inc()
            await asyncio.sleep(subscription.retry_seconds)
            await message.nack()
            return
        try:
            await message.ack()
        except Exception as error:  # noqa: BLE001 - lost partitions in a rebalance: their new owner re-reads them
            log.warning("commit_failed", consumer=consumer.name, error=repr(error)[:500])
