"""Ingest's Kafka consumers: raw notifications -> hydration, refresh requests -> refresh.

Both read micro-batches through ``shared.adapters.batches`` and commit a batch only after everything it
produced is acknowledged by Kafka: its output messages and its dead letters. A message that can never
be processed (not a Concord message, the wrong type, a payload the platform rejects) goes to the
topic's dead-letter topic with the reason and is committed with its batch. Any other failure (the
platform or Kafka unreachable, MongoDB down, a bug) leaves the batch uncommitted: after a pause the
consumer seeks back and reads it again. Redelivery is expected; every output id is natural, and the
consumer records what it finished (``ProcessedLedger``) so a redelivered input is not re-read.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import structlog
from faststream.kafka import KafkaBroker

from services.ingest.metrics import IngestMetrics
from services.ingest.reading import Outcome
from shared.adapters.batches import (
    BatchSubscription,
    DeadLetterSink,
    Record,
    Rejected,
    rejected_record,
    subscribe_batches,
)
from shared.core.errors import InvalidInput
from shared.core.events import AnyMessage, Message, RecordDeleted, RecordObserved, parse_message
from shared.core.ports import MessagePublisher, ProcessedLedger

log = structlog.get_logger(__name__)

M = TypeVar("M", bound=Message)


@dataclass(frozen=True)
class ConsumerPorts:
    """What every ingest consumer writes to."""

    publisher: MessagePublisher
    dead_letters: DeadLetterSink
    processed: ProcessedLedger
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

    async def handle(self, batch: Sequence[Record]) -> None:
        """Process one batch; returns once its results are durable, raises if the batch must be retried."""
        letters: list[Rejected] = []
        decoded = [(record, self._decode(record, letters)) for record in batch]
        fresh = await self._not_yet_processed([(r, m) for r, m in decoded if m is not None])
        outcome = await self._process([message for _, message in fresh]) if fresh else Outcome()
        letters.extend(
            self._letter(r, outcome.failed[m.message_id]) for r, m in fresh if m.message_id in outcome.failed
        )
        await self._ports.publisher.publish_all(outcome.messages)
        await self._ports.dead_letters.send(letters)
        await self._record_done([m for _, m in fresh if m.message_id not in outcome.failed])
        self._count(outcome, letters)

    def _decode(self, record: Record, letters: list[Rejected]) -> M | None:
        try:
            message: AnyMessage = parse_message(record.value or b"")
        except InvalidInput as error:
            letters.append(self._letter(record, str(error)))
            return None
        if not isinstance(message, self._accepts):
            letters.append(self._letter(record, f"{self.name} does not consume {message.type} messages"))
            return None
        return message

    async def _not_yet_processed(self, decoded: list[tuple[Record, M]]) -> list[tuple[Record, M]]:
        first_copies: dict[str, tuple[Record, M]] = {}
        for pair in decoded:
            first_copies.setdefault(pair[1].message_id, pair)
        done = await self._ports.processed.already_processed(self.name, first_copies.keys())
        fresh = [pair for message_id, pair in first_copies.items() if message_id not in done]
        if len(fresh) < len(decoded):
            log.info("redeliveries_skipped", consumer=self.name, count=len(decoded) - len(fresh))
        return fresh

    async def _record_done(self, messages: list[M]) -> None:
        await self._ports.processed.mark_processed(
            self.name, [m.message_id for m in messages], at=self._ports.clock()
        )

    def _letter(self, record: Record, reason: str) -> Rejected:
        log.warning(
            "dead_lettered", consumer=self.name, topic=record.topic, offset=record.offset, reason=reason
        )
        return rejected_record(record, reason, consumer=self.name)

    def _count(self, outcome: Outcome, letters: list[Rejected]) -> None:
        metrics = self._ports.metrics
        if letters:
            metrics.dead_lettered.labels(self.name).inc(len(letters))
        for message in outcome.messages:
            if isinstance(message, RecordObserved | RecordDeleted):
                metrics.observations_published.labels(message.ref.system.value, message.surface.value).inc()


def subscribe(broker: KafkaBroker, consumer: BatchConsumer[Any], subscription: BatchSubscription) -> None:
    """Register ``consumer`` on ``broker`` with the shared commit-after-effects policy, counting retries."""

    async def handle(records: Sequence[Record], _consumer: object) -> None:
        try:
            await consumer.handle(records)
        except Exception:
            consumer.metrics.batch_retries.labels(consumer.name).inc()
            raise

    subscribe_batches(broker, subscription, handle)
