"""The pulse scheduler: re-verify due (entity, dimension) pairs by asking ingest to refresh them.

One sweep (:meth:`PulseScheduler.sweep`), under the lease ``PulseSettings.lease_name``:

1. take or renew the lease; a replica that does not hold it does nothing (stand-by);
2. read candidate pairs from the check state (pre-selected by due time, requested ones left out);
3. resolve each pair's linked platform records (read-only, through the entity store's links);
4. rank the due pairs with ``shared.core.verification.rank_due`` (priority x staleness x value,
   where an operator's priority from ``CheckPriorities`` replaces the policy's), within the sweep's per-platform request allowance (``services.checker.pulse_budget``), one
   request per linked record;
5. publish one ``RefreshRequested`` (surface pulse) per chosen pair, then mark each requested so
   the next sweeps skip it until its answer is overdue;
6. record the sweep (due, requested, backlog) where the dashboard's health page reads it.

Publishing comes before marking: a crash in between re-requests a pair (a harmless duplicate
read) rather than hiding it until the answer timeout. Ingest answers with pulse observations; the
link stage then detects passive drift and the evaluate stage records the verification.
"""

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client import Counter as PromCounter
from pydantic import BaseModel, ConfigDict, Field

from shared.core.events import RefreshRequested, first_in_chain
from shared.core.model import EntityId, EntityType, ExternalRef, Surface, System
from shared.core.policy import Policy
from shared.core.ports import CheckPriorities, CheckStateStore, LeaseStore, MessagePublisher, PulseSweepLog
from shared.core.repositories import LinkedRecordsReader
from shared.core.verification import (
    DimensionSchedule,
    DuePair,
    PulseSweep,
    VerificationState,
    is_due,
    rank_due,
)

log = structlog.get_logger(__name__)

REQUESTED_BY = "checker.pulse"
_MIN_PRIORITY = 0.5  # the policy's priority 0 still ranks, below every other


class PulseSettings(BaseModel):
    """Cadence, lease and limits of the pulse; nested into ``CheckerSettings`` as ``pulse``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    sweep_interval_seconds: float = Field(default=30.0, gt=0)
    lease_name: str = "checker.pulse"
    lease_ttl_seconds: float = Field(
        default=90.0,
        gt=0,
        description="> sweep interval + a sweep's duration; a dead holder's lease lapses within two",
    )
    candidate_limit: int = Field(default=2_000, ge=1, description="pairs read from check_state per sweep")
    max_requests_per_sweep: int = Field(
        default=500, ge=0, description="refresh requests per sweep, all platforms"
    )
    answer_timeout_seconds: float = Field(
        default=300.0, gt=0, description="a requested pair is skipped this long"
    )
    pulse_share: float = Field(
        default=0.5, gt=0, le=1, description="share of background API capacity for pulses"
    )
    requests_per_sweep: dict[System, int] = Field(
        default_factory=dict, description="per-platform request allowance; unset ones derive from the budget"
    )


class PulseMetrics:
    """Pulse backlog, requests per sweep and sweep duration, on the registry the service passes in."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.backlog = Gauge(
            "concord_pulse_backlog", "Due pairs seen by the last sweep and not requested", registry=registry
        )
        self.requests = Histogram(
            "concord_pulse_requests_per_sweep", "Refresh requests published by one sweep",
            buckets=(0, 1, 5, 10, 50, 100, 250, 500, 1000), registry=registry,
        )  # fmt: skip
        self.records = PromCounter(
            "concord_pulse_records_requested_total", "Platform records asked to refresh", ["system"],
            registry=registry,
        )  # fmt: skip
        self.duration = Histogram("concord_pulse_sweep_seconds", "Duration of one sweep", registry=registry)
        self.leader = Gauge(
            "concord_pulse_leader", "1 while this replica holds the pulse lease", registry=registry
        )


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did; ``held`` is False when another replica holds the lease."""

    held: bool
    requested: tuple[RefreshRequested, ...] = ()
    backlog: int = 0
    unlinked: int = 0
    spent: Mapping[System, int] = field(default_factory=dict)


def schedule_key(entity_type: EntityType, dimension: str) -> str:
    """Dimensions are named per entity type (``presence`` exists for all three): rank them apart."""
    return f"{entity_type.value}:{dimension}"


def schedule_for(policy: Policy, entity_type: EntityType, dimension: str) -> DimensionSchedule:
    """The pulse schedule of a dimension from the policy: its cadence and priority (0-10)."""
    rule = policy.dimension_rule(entity_type, dimension)
    cadence = timedelta(seconds=rule.pulse_cadence_seconds)
    return DimensionSchedule(
        dimension=schedule_key(entity_type, dimension),
        cadence=cadence,
        half_life=cadence,
        priority=max(float(rule.priority), _MIN_PRIORITY),
    )


def cadence_from(policy: Policy) -> Callable[[EntityType, str], timedelta]:
    """The ``cadence_of`` the check-state store uses to pre-select due pairs."""
    return lambda entity_type, dimension: timedelta(
        seconds=policy.dimension_rule(entity_type, dimension).pulse_cadence_seconds
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Plan:
    """The due, linked pairs of one sweep, ready for ranking."""

    due: list[DuePair] = field(default_factory=list)
    schedules: dict[str, DimensionSchedule] = field(default_factory=dict)
    targets: dict[tuple[EntityId, str], tuple[VerificationState, tuple[ExternalRef, ...]]] = field(
        default_factory=dict
    )
    unlinked: int = 0


def _request(state: VerificationState, refs: tuple[ExternalRef, ...], now: datetime) -> RefreshRequested:
    """The refresh request of one pair: every linked record, in key order."""
    return RefreshRequested(
        **first_in_chain(producer=REQUESTED_BY, produced_at=now),
        refs=tuple(sorted(refs, key=lambda ref: ref.key)),
        reason="pulse",
        entity_id=state.entity_id,
        dimension=state.dimension,
        requested_by=REQUESTED_BY,
        surface=Surface.PULSE,
    )


class PulseScheduler:
    """The scheduler use case and its loop. Build one per replica; every replica may run it."""

    def __init__(
        self,
        *,
        states: CheckStateStore,
        links: LinkedRecordsReader,
        publisher: MessagePublisher,
        leases: LeaseStore,
        policy: Policy,
        settings: PulseSettings,
        allowance: Mapping[System, int],
        holder: str,
        priorities: CheckPriorities | None = None,
        sweeps: PulseSweepLog | None = None,
        metrics: PulseMetrics | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._states, self._links, self._publisher, self._leases = states, links, publisher, leases
        self._priorities, self._sweeps = priorities, sweeps
        self._policy, self._settings, self._allowance = policy, settings, dict(allowance)
        self._holder, self._metrics, self._clock = holder, metrics, clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def sweep(self) -> SweepReport:
        """One sweep if this replica holds (or can take) the lease; see the module docstring."""
        started = time.perf_counter()
        now = self._clock()
        ttl = timedelta(seconds=self._settings.lease_ttl_seconds)
        held = await self._leases.acquire(self._settings.lease_name, self._holder, ttl=ttl, now=now)
        if self._metrics:
            self._metrics.leader.set(int(held))
        if not held:
            return SweepReport(held=False)
        report = await self._sweep_holding_lease(now)
        self._observe(report, time.perf_counter() - started)
        return report

    async def _sweep_holding_lease(self, now: datetime) -> SweepReport:
        candidates = await self._states.candidates(now=now, limit=self._settings.candidate_limit)
        refs = await self._links.linked_refs(sorted({state.entity_id for _, state in candidates}))
        raised = await self._priorities.raised() if self._priorities is not None else {}
        plan = self._plan(candidates, refs, raised, now)
        chosen = rank_due(
            plan.due, plan.schedules, now, budget=self._allowance, limit=self._settings.max_requests_per_sweep
        )
        targets = [plan.targets[(pick.entity_id, pick.dimension)] for pick in chosen]
        requests = tuple(_request(state, linked, now) for state, linked in targets)
        if requests:
            await self._publisher.publish_all(list(requests))
            until = now + timedelta(seconds=self._settings.answer_timeout_seconds)
            await asyncio.gather(
                *(
                    self._states.mark_requested(s.entity_id, s.dimension, at=now, until=until)
                    for s, _ in targets
                )
            )
        spent: Counter[System] = Counter()
        for pick in chosen:
            spent.update(pick.cost)
        report = SweepReport(
            held=True,
            requested=requests,
            backlog=len(plan.due) - len(chosen),
            unlinked=plan.unlinked,
            spent=dict(spent),
        )
        await self._record(report, due=len(plan.due), at=now)
        return report

    async def _record(self, report: SweepReport, *, due: int, at: datetime) -> None:
        if self._sweeps is None:
            return
        sweep = PulseSweep(
            swept_at=at, holder=self._holder, due=due, requested=len(report.requested),
            backlog=report.backlog, unlinked=report.unlinked, spent=dict(report.spent),
        )  # fmt: skip
        try:
            await self._sweeps.record(sweep)
        except Exception:
            log.exception("pulse_sweep_not_recorded")

    def _plan(
        self,
        candidates: list[tuple[EntityType, VerificationState]],
        refs: Mapping[EntityId, tuple[ExternalRef, ...]],
        raised: Mapping[tuple[EntityId, str], float],
        now: datetime,
    ) -> "_Plan":
        plan = _Plan()
        for entity_type, state in candidates:
            schedule = schedule_for(self._policy, entity_type, state.dimension)
            if not is_due(state, schedule, now):
                continue
            linked = refs.get(state.entity_id, ())
            if not linked:
                plan.unlinked += 1  # nothing to read yet; the pair stays due
                continue
            plan.schedules[schedule.dimension] = schedule
            plan.targets[(state.entity_id, schedule.dimension)] = (state, linked)
            # rank_due takes schedules by dimension name; the key carries the entity type too.
            ranked_state = state.model_copy(
                update={"dimension": schedule.dimension,
                        "priority_override": raised.get((state.entity_id, state.dimension))}
            )  # fmt: skip
            plan.due.append(DuePair(state=ranked_state, cost=dict(Counter(ref.system for ref in linked))))
        return plan

    def _observe(self, report: SweepReport, seconds: float) -> None:
        log.info(
            "pulse_swept", requested=len(report.requested), backlog=report.backlog,
            unlinked=report.unlinked, seconds=round(seconds, 3),
        )  # fmt: skip
        if self._metrics is None:
            return
        self._metrics.backlog.set(report.backlog)
        self._metrics.requests.observe(len(report.requested))
        self._metrics.duration.observe(seconds)
        for system, count in report.spent.items():
            self._metrics.records.labels(system.value).inc(count)

    async def run(self) -> None:
        """Sweep every ``sweep_interval_seconds`` until :meth:`stop`; a failed sweep is logged and retried."""
        while not self._stopping.is_set():
            try:
                await self.sweep()
            except Exception:  # one failed sweep (Kafka or MongoDB down) must not end the loop
                log.exception("pulse_sweep_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._settings.sweep_interval_seconds)

    def start(self) -> None:
        """Run the loop in a background task (idempotent)."""
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self.run(), name="pulse-scheduler")

    async def stop(self) -> None:
        """End the loop after the current sweep and give the lease up so a stand-by takes over at once."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self._leases.release(self._settings.lease_name, self._holder)
        if self._metrics:
            self._metrics.leader.set(0)


__all__ = [
    "REQUESTED_BY", "PulseMetrics", "PulseScheduler", "PulseSettings", "SweepReport",
    "cadence_from", "schedule_for", "schedule_key",
]  # fmt: skip
