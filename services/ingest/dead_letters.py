"""Dead letters: input messages a consumer cannot process for good, kept whole beside the reason.

A dead letter is the original Kafka record (value, key and headers byte for byte) published to the
topic's dead-letter topic (``<topic>.dlq``), with headers saying where it came from and why it
failed. Replaying it means publishing the value back to the source topic.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from faststream.kafka import KafkaBroker

from shared.core.events import dead_letter_topic


@dataclass(frozen=True)
class Delivered:
    """One consumed Kafka record, independent of the client library."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class DeadLetter:
    """``delivered`` failed in ``consumer`` at ``failed_at`` for ``reason``."""

    delivered: Delivered
    reason: str
    consumer: str
    failed_at: datetime

    def headers(self) -> dict[str, str]:
        """The original headers plus where the record came from and why it failed."""
        original = {name: value.decode(errors="replace") for name, value in self.delivered.headers}
        return {
            **original,
            "dlq-reason": self.reason,
            "dlq-consumer": self.consumer,
            "dlq-failed-at": self.failed_at.isoformat(),
            "dlq-source-topic": self.delivered.topic,
            "dlq-source-partition": str(self.delivered.partition),
            "dlq-source-offset": str(self.delivered.offset),
        }


class DeadLetterSink(Protocol):
    """Where dead letters go; returns only once every one is durable."""

    async def send_all(self, letters: Sequence[DeadLetter]) -> None: ...


class KafkaDeadLetters:
    """Publishes dead letters to ``<source topic>.dlq`` under the record's original key."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def send_all(self, letters: Sequence[DeadLetter]) -> None:
        pending: list[asyncio.Future[object]] = []
        for letter in letters:
            future = await self._broker.publish(
                letter.delivered.value,
                dead_letter_topic(letter.delivered.topic),
                key=letter.delivered.key,
                headers=letter.headers(),
                no_confirm=True,
            )
            pending.append(future)
        await asyncio.gather(*pending)
