"""The retry scheduler: sends each due ``retrying`` command back to the sync-command topic.

A command waiting for its next attempt lives in the store, not in a consumer, so it blocks nothing.
The scheduler only publishes; the consumer of the command's partition runs the attempt, so there is
still one writer per command. Claiming a command is a compare-and-set save of ``requeued_at``, so
of several syncer replicas exactly one sends it; the copy arrives at a consumer that recognises the
command by id (``CommandStore.admit``), and a copy that finds it final or not yet due does nothing.
If the send is lost (a crash after the claim) the command is sent again ``requeue_after`` later.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from shared.core.ports import MessagePublisher
from shared.core.sync import CommandRecord, CommandStore, ConcurrentUpdate

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RetryScheduling:
    """How often the store is scanned, how many commands one scan sends, when a send is repeated."""

    scan_every: timedelta = timedelta(seconds=1)
    batch: int = 50
    requeue_after: timedelta = timedelta(seconds=60)


class RetryScheduler:
    """Requeues due retries; see the module docstring for the guarantees."""

    def __init__(
        self,
        store: CommandStore,
        publisher: MessagePublisher,
        clock: Callable[[], datetime],
        scheduling: RetryScheduling = RetryScheduling(),
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._clock = clock
        self._scheduling = scheduling

    async def requeue_due(self) -> list[str]:
        """Send every due, unclaimed retry back to its topic; the ids of the commands sent."""
        now = self._clock()
        sent: list[str] = []
        for record in await self._store.due_retries(now, limit=self._scheduling.batch):
            if self._claimed(record, now):
                continue
            try:
                await self._store.save(record.model_copy(update={"requeued_at": now}))
            except ConcurrentUpdate:
                continue  # another replica claimed it, or its consumer has just started the attempt
            await self._publisher.publish(record.command)
            log.info("command_requeued", command_id=record.command_id, attempt=record.attempt + 1)
            sent.append(record.command_id)
        return sent

    async def run(self) -> None:
        """Scan until cancelled; a failed scan (MongoDB or Kafka down) is logged and tried again."""
        while True:
            try:
                await self.requeue_due()
            except Exception:  # the loop must outlive outages; each failure is logged
                log.exception("retry_scan_failed")
            await asyncio.sleep(self._scheduling.scan_every.total_seconds())

    def _claimed(self, record: CommandRecord, now: datetime) -> bool:
        return record.requeued_at is not None and now - record.requeued_at < self._scheduling.requeue_after


__all__ = ["RetryScheduler", "RetryScheduling"]
