"""Webhook delivery of the sandbox: every store change becomes what the real platform would POST.

HubSpot changes are gathered for ``batch_window_seconds`` into JSON-array batches; each Shopify
change is one notification; NetSuite changes become SuiteScript-style callouts only when
``netsuite_callouts`` is on (NetSuite has no native webhooks). Targets are
``{target}/webhooks/{hubspot|shopify|netsuite}``.

Delivery runs in one background task: a request that cannot connect, times out, or is answered
with anything but 2xx is retried with bounded, jittered exponential backoff until ``max_attempts``.
Faults are switchable at runtime (duplicates, out-of-order release, extra delay, drops); every
random decision and id comes from ``random.Random`` instances seeded from ``seed``, so the same
changes with the same seed get the same ids and the same fault decisions. Scheduling itself runs
on real (monotonic) time.
"""

import asyncio
import heapq
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import structlog

from services.sandbox.settings import SandboxSettings
from services.sandbox.store import ChangeEvent
from services.sandbox.webhook_config import WebhookConfig, seeded_random
from services.sandbox.webhook_payloads import (
    HubSpotBatch,
    Payload,
    hubspot_events,
    netsuite_callout,
    random_uuid,
    shopify_notification,
)
from shared.core.model import System

__all__ = ["STAT_NAMES", "WebhookConfig", "WebhookDispatcher"]

log = structlog.get_logger(__name__)

STAT_NAMES = ("received", "sent", "delivered", "failed", "retried", "duplicated", "dropped")


@dataclass(order=True)
class _Scheduled:
    due: float
    seq: int
    payload: Payload = field(compare=False)
    attempt: int = field(default=0, compare=False)


class WebhookDispatcher:
    """Turns store changes into signed platform notifications and delivers them in the background.

    ``on_change`` only queues (it runs inside the store's write); ``start`` launches the delivery
    task; ``stop`` flushes what is buffered, waits up to ``drain_seconds`` for the queue to empty and
    then cancels whatever is left. ``stats`` counts: received (changes heard), sent (HTTP attempts),
    delivered (2xx answers), failed (deliveries given up), retried (attempts rescheduled),
    duplicated (extra copies), dropped (deliveries discarded on purpose), pending (waiting now).
    """

    def __init__(
        self, settings: SandboxSettings, http: httpx.AsyncClient, *, clock: Callable[[], datetime], seed: int
    ) -> None:
        self.config = WebhookConfig()
        self._settings = settings
        self._http = http
        self._clock = clock
        self._ids = seeded_random(seed, "ids")
        self._faults = seeded_random(seed, "faults")
        self._jitter = seeded_random(seed, "backoff")
        self._event_ids = itertools.count(1)
        self._seq = itertools.count()
        self._queue: list[_Scheduled] = []
        self._hubspot_buffer: list[dict[str, object]] = []
        self._hubspot_deadline: float | None = None
        self._reorder_buffer: list[Payload] = []
        self._reorder_deadline: float | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._wakeup = asyncio.Event()
        self._progress = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._stats: Counter[str] = Counter()

    def stats(self) -> dict[str, int]:
        """Counters since start (see the class docstring), plus ``pending``."""
        counts = {name: self._stats[name] for name in STAT_NAMES}
        buffered = len(self._hubspot_buffer) + len(self._reorder_buffer)
        return {**counts, "pending": len(self._queue) + len(self._in_flight) + buffered}

    async def on_change(self, event: ChangeEvent) -> None:
        """Queue the notification ``event`` fires; never raises for delivery problems, never blocks."""
        target = self.config.target_url or self._settings.webhook_target_url
        if not self.config.enabled or target is None:
            return
        self._stats["received"] += 1
        base = target.rstrip("/")
        if event.system is System.HUBSPOT:
            self._buffer_hubspot(event)
        elif event.system is System.SHOPIFY:
            notification = shopify_notification(
                event,
                url=f"{base}/webhooks/shopify",
                secret=self._settings.shopify_api_secret.get_secret_value(),
                shop_domain=f"{self._settings.shopify_shop}.myshopify.com",
                api_version=self._settings.shopify_api_version,
                ids=self._ids,
            )
            if notification is not None:
                self._admit(notification)
        elif self.config.netsuite_callouts and event.object_type in self.config.netsuite_callout_record_types:
            secret = self._settings.netsuite_callout_secret.get_secret_value()
            self._admit(
                netsuite_callout(event, url=f"{base}/webhooks/netsuite", secret=secret, ids=self._ids)
            )
        self._wakeup.set()

    async def start(self) -> None:
        """Launch the delivery task (idempotent)."""
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run(), name="sandbox-webhooks")

    async def stop(self, *, drain_seconds: float = 2.0) -> None:
        """Flush buffers, wait up to ``drain_seconds`` for pending deliveries, then cancel the rest."""
        self._hubspot_deadline = 0.0 if self._hubspot_buffer else None
        self._reorder_deadline = 0.0 if self._reorder_buffer else None
        self._wakeup.set()
        if self._runner is not None:
            await self.wait_idle(drain_seconds)
            self._runner.cancel()
            tasks = [self._runner, *self._in_flight]
            for task in self._in_flight:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._runner = None
            self._in_flight.clear()

    async def wait_idle(self, within_seconds: float) -> bool:
        """Wait until nothing is buffered, queued or in flight; ``False`` if ``within_seconds`` passed first.

        Only meaningful while started: without the delivery task nothing drains.
        """
        try:
            async with asyncio.timeout(within_seconds):
                while self.stats()["pending"]:
                    self._progress.clear()
                    await self._progress.wait()
        except TimeoutError:
            return False
        return True

    # -- queueing ---------------------------------------------------------------------------------

    def _buffer_hubspot(self, event: ChangeEvent) -> None:
        events = hubspot_events(
            event,
            subscriptions=self.config.hubspot_subscriptions,
            portal_id=self._settings.hubspot_portal_id,
            app_id=self._settings.hubspot_app_id,
            next_event_id=lambda: next(self._event_ids),
        )
        if events and not self._hubspot_buffer:
            self._hubspot_deadline = self._now() + self.config.batch_window_seconds
        self._hubspot_buffer.extend(events)

    def _flush_hubspot(self) -> None:
        target = (self.config.target_url or self._settings.webhook_target_url or "").rstrip("/")
        if not target:  # delivery was switched off while events waited for their batch
            self._stats["dropped"] += 1
            self._hubspot_buffer = []
        size = self.config.hubspot_max_batch
        secret = self._settings.hubspot_client_secret.get_secret_value()
        while self._hubspot_buffer:
            batch, self._hubspot_buffer = self._hubspot_buffer[:size], self._hubspot_buffer[size:]
            url = f"{target}/webhooks/hubspot"
            self._admit(
                HubSpotBatch(url=url, secret=secret, events=tuple(batch), delivery_id=random_uuid(self._ids))
            )
        self._hubspot_deadline = None

    def _admit(self, payload: Payload) -> None:
        """Apply the drop / duplicate / reorder / delay switches to a new delivery."""
        config = self.config
        if config.drop_rate and self._faults.random() < config.drop_rate:
            self._stats["dropped"] += 1
            log.info("webhook_dropped", system=str(payload.system), delivery_id=payload.delivery_id)
            return
        copies = [payload]
        if config.duplicate_rate and self._faults.random() < config.duplicate_rate:
            self._stats["duplicated"] += 1
            copies.append(payload)
        if config.reorder:
            if not self._reorder_buffer:
                self._reorder_deadline = self._now() + config.reorder_window_seconds
            self._reorder_buffer.extend(copies)
            return
        for copy in copies:
            self._schedule(copy, self._now() + config.delay_seconds)

    def _release_reordered(self) -> None:
        released, self._reorder_buffer = self._reorder_buffer, []
        self._faults.shuffle(released)
        for payload in released:
            self._schedule(payload, self._now() + self.config.delay_seconds)
        self._reorder_deadline = None

    def _schedule(self, payload: Payload, due: float, attempt: int = 0) -> None:
        heapq.heappush(self._queue, _Scheduled(due, next(self._seq), payload, attempt))

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    # -- delivery ---------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()
            self._release_buffers()
            self._launch_due()
            self._progress.set()
            await self._sleep_until_next()

    def _release_buffers(self) -> None:
        now = self._now()
        full = len(self._hubspot_buffer) >= self.config.hubspot_max_batch
        if self._hubspot_buffer and (full or (self._hubspot_deadline or 0.0) <= now):
            self._flush_hubspot()
        if self._reorder_buffer and (self._reorder_deadline or 0.0) <= now:
            self._release_reordered()

    def _launch_due(self) -> None:
        now = self._now()
        while self._queue and self._queue[0].due <= now and len(self._in_flight) < self.config.max_in_flight:
            scheduled = heapq.heappop(self._queue)
            task = asyncio.create_task(self._attempt(scheduled))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wakeup.set()
        self._progress.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook_attempt_crashed", exc_info=task.exception())

    async def _sleep_until_next(self) -> None:
        candidates = [d for d in (self._hubspot_deadline, self._reorder_deadline) if d is not None]
        if self._queue and len(self._in_flight) < self.config.max_in_flight:
            candidates.append(self._queue[0].due)
        timeout = max(0.0, min(candidates) - self._now()) if candidates else None
        try:
            await asyncio.wait_for(self._wakeup.wait(), timeout)
        except TimeoutError:
            return

    async def _attempt(self, scheduled: _Scheduled) -> None:
        request = scheduled.payload.render(scheduled.attempt, self._clock())
        self._stats["sent"] += 1
        try:
            response = await self._http.post(
                request.url,
                content=request.body,
                headers=request.headers,
                timeout=self.config.timeout_seconds,
            )
            status: int | str = response.status_code
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            status = type(error).__name__
        if isinstance(status, int) and 200 <= status < 300:
            self._stats["delivered"] += 1
            return
        self._retry_or_give_up(scheduled, status)

    def _retry_or_give_up(self, scheduled: _Scheduled, status: int | str) -> None:
        attempt = scheduled.attempt + 1
        payload = scheduled.payload
        context = {"system": str(payload.system), "delivery_id": payload.delivery_id, "attempt": attempt}
        if attempt >= self.config.max_attempts:
            self._stats["failed"] += 1
            log.warning("webhook_failed", status=status, **context)
            return
        self._stats["retried"] += 1
        backoff = min(self.config.retry_max_seconds, self.config.retry_base_seconds * 2 ** (attempt - 1))
        delay = backoff * (1.0 + 0.25 * self._jitter.random())
        log.info("webhook_retry_scheduled", status=status, delay_seconds=round(delay, 3), **context)
        self._schedule(payload, self._now() + delay, attempt)
