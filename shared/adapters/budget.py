"""One API budget per platform account, shared by every caller and coordinated through MongoDB.

Ingest polling, pulse refreshes and syncer writes all spend the same platform limits, so every
process keeps its counts in one MongoDB collection. Only operations FerretDB 1.24 has are used:
upserts, ``$inc``, ``find_one_and_update`` (no transactions, no TTL indexes). Three limit shapes
cover the platforms:

* :class:`WindowLimit`: at most N calls in any window (HubSpot 10-second burst and search per
  second, counted in slots and summed conservatively; HubSpot daily, one slot per UTC day). A call
  increments its slot first and then checks the sum, undoing the increment if over, so racing
  processes can refuse each other spuriously but never overshoot together.
* :class:`LeakyBucket`: Shopify's REST bucket, one document updated by compare-and-swap.
* :class:`ConcurrencyLimit`: NetSuite's concurrent-request limit, as lease documents that expire
  on their own if the process holding one dies (no TTL index needed: expiry is a timestamp test).

A share of every limit (``BudgetPolicy.operator_reserve``) is kept for operator-approved writes:
background callers see the limit minus that reserve.
"""

import asyncio
import contextlib
import math
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.adapters.metrics import ConnectorMetrics
from shared.adapters.platforms.budget_store import MongoBudgetStore
from shared.core.errors import RateLimited
from shared.core.model import System

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
_MAX_POLL_SECONDS = 1.0


class BudgetPolicy(BaseModel):
    """How a shared API budget is split between background work and operator-approved writes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    operator_reserve: float = Field(
        default=0.2, ge=0, lt=1, description="share of every limit only operator-priority calls may use"
    )
    max_wait: float = Field(
        default=30.0, gt=0, description="a caller waiting longer for budget gets RateLimited instead"
    )
    poll_interval: float = Field(default=0.05, gt=0, description="seconds between tries for a lease")


class Priority(StrEnum):
    """Who is asking: background work (polling, pulse) or an operator-approved write."""

    BACKGROUND = "background"
    OPERATOR = "operator"


@dataclass(frozen=True)
class WindowLimit:
    """At most ``limit`` calls in any ``window`` seconds, counted in ``slot``-second buckets.

    ``slot == window`` is a fixed window aligned to multiples of it (a UTC day for 86,400).
    ``operation`` set: the limit applies only to calls of that operation (e.g. ``"search"``).
    """

    name: str
    limit: int
    window: float
    slot: float
    operation: str | None = None


@dataclass(frozen=True)
class LeakyBucket:
    """A bucket of ``capacity`` calls draining at ``leak_per_second``; a full bucket refuses."""

    name: str
    capacity: int
    leak_per_second: float
    operation: str | None = None


@dataclass(frozen=True)
class ConcurrencyLimit:
    """At most ``slots`` calls in flight; a lease lapses after ``lease_seconds`` if never released."""

    name: str
    slots: int
    lease_seconds: float
    operation: str | None = None


Limit = WindowLimit | LeakyBucket | ConcurrencyLimit


@dataclass(frozen=True)
class _Grant:
    limit: Limit
    key: str
    holder: str = ""


@dataclass
class _Attempt:
    grants: list[_Grant] = field(default_factory=list)
    wait: float = 0.0
    polled: bool = False
    """``wait`` is a polling pause (a lease may free up any time), not a computed time."""


class ApiBudget:
    """The budget of one platform account. Build one per account per process (see BudgetRegistry)."""

    def __init__(
        self,
        *,
        system: System,
        account: str,
        limits: Sequence[Limit],
        store: MongoBudgetStore,
        policy: BudgetPolicy,
        metrics: ConnectorMetrics | None = None,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.system = system
        self.account = account
        self._limits = tuple(limits)
        self._store = store
        self._policy = policy
        self._metrics = metrics
        self._clock = clock
        self._sleep = sleep
        self._scope = f"{system.value}:{account}"
        # Background callers of one process queue here for a concurrency limit's leases instead of
        # all polling MongoDB for them (dozens of pollers saturated FerretDB); operator calls, rare
        # and entitled to the reserve, skip the queue.
        self._lease_queues = {
            limit.name: asyncio.Semaphore(self._allowance(limit.slots, Priority.BACKGROUND))
            for limit in self._limits
            if isinstance(limit, ConcurrencyLimit)
        }

    @asynccontextmanager
    async def use(self, priority: Priority, operation: str = "default") -> AsyncIterator[None]:
        """Hold budget for one call: waits until every applicable limit admits it.

        Raises ``RateLimited`` (``retry_after`` = the estimated wait) when the budget will not free
        up within ``BudgetPolicy.max_wait``. Leases are returned on exit; window and bucket
        capacity is spent.
        """
        async with self._lease_queue(priority, operation):
            grants = await self._acquire(priority, operation)
            try:
                yield
            finally:
                for grant in grants:
                    if isinstance(grant.limit, ConcurrencyLimit):
                        await self._store.release_lease(grant.key, grant.holder)

    @asynccontextmanager
    async def _lease_queue(self, priority: Priority, operation: str) -> AsyncIterator[None]:
        queues = [
            self._lease_queues[limit.name]
            for limit in self._limits
            if isinstance(limit, ConcurrencyLimit) and limit.operation in (None, operation)
        ]
        if priority is Priority.OPERATOR or not queues:
            yield
            return
        async with contextlib.AsyncExitStack() as stack:
            try:
                async with asyncio.timeout(self._policy.max_wait):
                    for queue in queues:
                        await stack.enter_async_context(queue)
            except TimeoutError:
                raise RateLimited(
                    f"{self.system} {self.account}: no concurrency slot for {priority} calls "
                    f"within {self._policy.max_wait:.0f}s",
                    retry_after=self._policy.poll_interval,
                ) from None
            yield

    def record_throttled(self) -> None:
        """Count a 429 the platform sent despite the budget (someone else shares the limit)."""
        if self._metrics:
            self._metrics.throttled.labels(self.system.value, self.account).inc()

    async def _acquire(self, priority: Priority, operation: str) -> list[_Grant]:
        started = self._clock()
        deadline = started + self._policy.max_wait
        polls = 0
        while True:
            attempt = await self._try_all(priority, operation)
            if not attempt.wait:
                self._count(priority, started)
                return attempt.grants
            if self._clock() + attempt.wait > deadline:
                if self._metrics:
                    self._metrics.refused.labels(self.system.value, self.account, priority.value).inc()
                raise RateLimited(
                    f"{self.system} {self.account}: API budget exhausted for {priority} calls",
                    retry_after=attempt.wait,
                )
            pause = attempt.wait
            if attempt.polled:  # leases held by other processes: poll less often the longer it takes
                pause = min(attempt.wait * 2**polls, _MAX_POLL_SECONDS)
                polls += 1
            await self._sleep(pause * random.uniform(1.0, 1.25))  # noqa: S311 - jitter, not crypto

    async def _try_all(self, priority: Priority, operation: str) -> _Attempt:
        attempt = _Attempt()
        for limit in self._limits:
            if limit.operation not in (None, operation):
                continue
            taken = await self._take(limit, priority)
            if isinstance(taken, float):
                for grant in attempt.grants:
                    await self._give_back(grant)
                return _Attempt(wait=max(taken, 0.001), polled=isinstance(limit, ConcurrencyLimit))
            attempt.grants.append(taken)
        return attempt

    def _allowance(self, limit: int, priority: Priority) -> int:
        if priority is Priority.OPERATOR:
            return limit
        return max(1, math.floor(limit * (1 - self._policy.operator_reserve)))

    async def _take(self, limit: Limit, priority: Priority) -> _Grant | float:
        if isinstance(limit, WindowLimit):
            return await self._take_window(limit, priority)
        if isinstance(limit, LeakyBucket):
            return await self._take_bucket(limit, priority)
        return await self._take_lease(limit, priority)

    async def _take_window(self, limit: WindowLimit, priority: Priority) -> _Grant | float:
        now = self._clock()
        current = int(now // limit.slot)
        span = math.ceil(limit.window / limit.slot) if limit.slot < limit.window else 0
        scope = f"{self._scope}:{limit.name}"
        keys = [f"{scope}:{slot}" for slot in range(current - span, current + 1)]
        await self._store.add(keys[-1], scope, current, 1)
        used = await self._store.total(keys)
        self._gauge(limit.name, used / limit.limit)
        if used > self._allowance(limit.limit, priority):
            await self._store.add(keys[-1], scope, current, -1)
            return (current + 1) * limit.slot - now
        if used == 1 or current % 16 == 0:
            await self._store.prune(scope, current - span)
        return _Grant(limit, keys[-1])

    async def _take_bucket(self, limit: LeakyBucket, priority: Priority) -> _Grant | float:
        key = f"{self._scope}:{limit.name}"
        for _ in range(8):  # compare-and-swap; losing means another caller just took a drop
            now = self._clock()
            level, at, rev = await self._store.load_bucket(key, now)
            level = max(0.0, level - max(0.0, now - at) * limit.leak_per_second)
            allowed = self._allowance(limit.capacity, priority)
            if level + 1 > allowed:
                return (level + 1 - allowed) / limit.leak_per_second
            if await self._store.swap_bucket(key, rev, level + 1, now):
                self._gauge(limit.name, (level + 1) / limit.capacity)
                return _Grant(limit, key)
        return self._policy.poll_interval

    async def _take_lease(self, limit: ConcurrencyLimit, priority: Priority) -> _Grant | float:
        allowed = self._allowance(limit.slots, priority)
        keys = [f"{self._scope}:{limit.name}:{index}" for index in range(allowed)]
        holder = uuid.uuid4().hex
        now = self._clock()
        key = await self._store.claim_lease(keys, holder, now, now + limit.lease_seconds)
        if key is None:
            self._gauge(limit.name, allowed / limit.slots)
            return self._policy.poll_interval
        return _Grant(limit, key, holder)

    async def _give_back(self, grant: _Grant) -> None:
        if isinstance(grant.limit, ConcurrencyLimit):
            await self._store.release_lease(grant.key, grant.holder)
        elif isinstance(grant.limit, WindowLimit):
            slot = int(grant.key.rsplit(":", 1)[1])
            await self._store.add(grant.key, grant.key.rsplit(":", 1)[0], slot, -1)
        else:
            await self._return_drop(grant.limit, grant.key)

    async def _return_drop(self, limit: LeakyBucket, key: str) -> None:
        for _ in range(8):
            now = self._clock()
            level, at, rev = await self._store.load_bucket(key, now)
            level = max(0.0, level - max(0.0, now - at) * limit.leak_per_second)
            if await self._store.swap_bucket(key, rev, max(0.0, level - 1), now):
                return

    def _count(self, priority: Priority, started: float) -> None:
        if self._metrics:
            labels = (self.system.value, self.account, priority.value)
            self._metrics.granted.labels(*labels).inc()
            self._metrics.waited.labels(*labels).observe(max(0.0, self._clock() - started))

    def _gauge(self, limit_name: str, ratio: float) -> None:
        if self._metrics:
            self._metrics.usage.labels(self.system.value, self.account, limit_name).set(ratio)


class UnlimitedBudget:
    """A budget that always admits: for tests of other things, never for a real account."""

    @asynccontextmanager
    async def use(self, priority: Priority, operation: str = "default") -> AsyncIterator[None]:
        yield

    def record_throttled(self) -> None:
        """Nothing to count."""


class BudgetRegistry:
    """One :class:`ApiBudget` per (system, account) in a process; built once in a composition root."""

    def __init__(
        self,
        store: MongoBudgetStore,
        policy: BudgetPolicy,
        metrics: ConnectorMetrics | None = None,
        *,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._store = store
        self._policy = policy
        self._metrics = metrics
        self._clock = clock
        self._sleep = sleep
        self._budgets: dict[tuple[System, str], ApiBudget] = {}

    def budget(self, system: System, account: str, limits: Sequence[Limit]) -> ApiBudget:
        """The account's budget; the first call's ``limits`` define it, later calls share it."""
        key = (system, account)
        if key not in self._budgets:
            self._budgets[key] = ApiBudget(
                system=system,
                account=account,
                limits=limits,
                store=self._store,
                policy=self._policy,
                metrics=self._metrics,
                clock=self._clock,
                sleep=self._sleep,
            )
        return self._budgets[key]
