"""The three platforms' rate models (PLATFORMS.md 1.6, 2.5, 3.6), kept in process memory.

- HubSpot: a rolling 10-second burst window and a daily quota per app; CRM search has its own
  per-second limit (counted in the daily quota, not in the burst window).
- Shopify REST: a leaky bucket of ``bucket_size`` requests draining at ``leak_per_second``.
- NetSuite: no request rate at all, a cap on requests in flight.

Time comes from an injected monotonic clock so tests can step it; the daily HubSpot quota resets
when the UTC date changes (the imitated account's time zone is UTC).
"""

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

Monotonic = Callable[[], float]

HUBSPOT_WINDOW_SECONDS = 10.0
SHOPIFY_RETRY_AFTER_SECONDS = 2.0


def _utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Admission:
    """Whether a request may proceed; when refused, which policy refused it and when to retry."""

    admitted: bool
    policy: str | None = None
    retry_after: float | None = None
    headers: dict[str, str] = field(default_factory=dict)


class HubSpotLimiter:
    """HubSpot's burst (per 10 s), daily and search (per second) limits for one private app."""

    def __init__(
        self,
        *,
        burst: int,
        daily: int,
        search_per_second: int,
        monotonic: Monotonic = time.monotonic,
        today: Callable[[], date] = _utc_today,
    ) -> None:
        self._burst, self._daily, self._search_limit = burst, daily, search_per_second
        self._monotonic, self._today = monotonic, today
        self.reset()

    def reset(self) -> None:
        """Forget every request seen."""
        self._window: deque[float] = deque()
        self._search_window: deque[float] = deque()
        self._day = self._today()
        self._daily_used = 0

    def admit(self, *, search: bool) -> Admission:
        """Count one request if it is within the limits; search answers carry no rate headers."""
        now = self._monotonic()
        if self._today() != self._day:
            self._day, self._daily_used = self._today(), 0
        _expire(self._window, now - HUBSPOT_WINDOW_SECONDS)
        _expire(self._search_window, now - 1.0)
        if self._daily_used >= self._daily:
            return Admission(False, "DAILY", _seconds_to_midnight(), self._headers(now) if not search else {})
        if search:
            if len(self._search_window) >= self._search_limit:
                return Admission(False, "SECONDLY", None)
            self._search_window.append(now)
            self._daily_used += 1
            return Admission(True)
        if len(self._window) >= self._burst:
            retry = max(0.0, self._window[0] + HUBSPOT_WINDOW_SECONDS - now)
            return Admission(False, "TEN_SECONDLY_ROLLING", retry, self._headers(now))
        self._window.append(now)
        self._daily_used += 1
        return Admission(True, headers=self._headers(now))

    def _headers(self, now: float) -> dict[str, str]:
        secondly = math.ceil(self._burst / HUBSPOT_WINDOW_SECONDS)
        last_second = sum(1 for moment in self._window if moment > now - 1.0)
        return {
            "X-HubSpot-RateLimit-Daily": str(self._daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self._daily - self._daily_used)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(HUBSPOT_WINDOW_SECONDS * 1000)),
            "X-HubSpot-RateLimit-Max": str(self._burst),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self._burst - len(self._window))),
            "X-HubSpot-RateLimit-Secondly": str(secondly),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(max(0, secondly - last_second)),
        }


class ShopifyBucket:
    """Shopify's REST leaky bucket; every response reports ``X-Shopify-Shop-Api-Call-Limit: used/size``."""

    def __init__(self, *, size: int, leak_per_second: float, monotonic: Monotonic = time.monotonic) -> None:
        self._size, self._leak, self._monotonic = size, leak_per_second, monotonic
        self.reset()

    def reset(self) -> None:
        """Empty the bucket."""
        self._level = 0.0
        self._last = self._monotonic()

    def admit(self) -> Admission:
        """Add one request to the bucket, or refuse it when the bucket is full."""
        now = self._monotonic()
        self._level = max(0.0, self._level - (now - self._last) * self._leak)
        self._last = now
        if self._level + 1 > self._size:
            return Admission(False, "bucket", SHOPIFY_RETRY_AFTER_SECONDS, self._headers())
        self._level += 1
        return Admission(True, headers=self._headers())

    def _headers(self) -> dict[str, str]:
        return {"X-Shopify-Shop-Api-Call-Limit": f"{math.ceil(self._level)}/{self._size}"}


class ConcurrencyGate:
    """NetSuite's account-wide cap on requests in flight (the (N+1)-th concurrent request is refused)."""

    def __init__(self, *, limit: int) -> None:
        self._limit = limit
        self.in_flight = 0

    def try_enter(self) -> bool:
        """Take a slot if one is free; the caller must :meth:`leave` when its request completes."""
        if self.in_flight >= self._limit:
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        """Give back a slot taken by :meth:`try_enter`."""
        self.in_flight = max(0, self.in_flight - 1)


def _expire(window: deque[float], before: float) -> None:
    while window and window[0] <= before:
        window.popleft()


def _seconds_to_midnight() -> float:
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=UTC).timestamp() + 86400
    return max(1.0, midnight - now.timestamp())
