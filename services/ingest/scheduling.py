"""Running the pollers: one task per cursor, a cycle every interval, a pause after a failed cycle."""

import asyncio
import contextlib
from dataclasses import dataclass

import structlog

from services.ingest.metrics import IngestMetrics
from services.ingest.polling import Poller

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Scheduled:
    """A poller and the seconds between the end of one of its cycles and the start of the next."""

    poller: Poller
    interval_seconds: float


class PollingRunner:
    """Runs every scheduled poller until stopped; a failing cycle never stops the others."""

    def __init__(self, scheduled: list[Scheduled], *, retry_seconds: float, metrics: IngestMetrics) -> None:
        self._scheduled = scheduled
        self._retry_seconds = retry_seconds
        self._metrics = metrics
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start one task per poller (idempotent)."""
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._loop(item), name=f"poll:{item.poller.target.key}")
                for item in self._scheduled
            ]

    async def stop(self) -> None:
        """Stop every task and release the leases this replica holds."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for item in self._scheduled:
            with contextlib.suppress(Exception):  # best effort: an unreleased lease lapses after its TTL
                await item.poller.release()

    async def _loop(self, item: Scheduled) -> None:
        target = item.poller.target
        labels = (target.system.value, target.entity_type.value)
        while True:
            try:
                report = await item.poller.cycle()
            except Exception as error:  # noqa: BLE001 - log, pause, try again: the cursor is still safe
                log.error("poll_cycle_failed", cursor=target.key, error=repr(error)[:500])
                self._metrics.poll_cycles.labels(*labels, "failed").inc()
                await asyncio.sleep(self._retry_seconds)
                continue
            self._metrics.poll_cycles.labels(*labels, "skipped" if report is None else "done").inc()
            await asyncio.sleep(item.interval_seconds)
