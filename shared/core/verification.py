"""Verification state per (entity, dimension): when it was last verified, how much that still says,
and how urgently the pulse scheduler should verify it again.

All pure: parameters arrive as :class:`DimensionSchedule` values, time as an aware ``now``.

- confidence = outcome known ? 0.5 ** (age / half_life) * (1 - change_penalty) ** changes : 0,
  where ``changes`` counts changes seen since the last verification;
- staleness = age / cadence (``unverified_staleness`` when never verified);
- due-ness = priority * staleness * value weight, the value weight being ``1 + ln(1 + value/unit)``
  so that one huge order ranks higher, but cannot starve everything else.
"""

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.core.errors import InvalidInput
from shared.core.model import EntityId, System


class VerificationOutcome(StrEnum):
    """What the last verification found."""

    CONSISTENT = "consistent"
    DISCREPANT = "discrepant"
    UNKNOWN = "unknown"
    """The check could not decide (a platform unavailable, a record unreadable)."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DimensionSchedule(_Value):
    """How one dimension is re-verified: its cadence, decay, priority and value scale."""

    dimension: str = Field(min_length=1)
    cadence: timedelta = Field(gt=timedelta(0))
    """A dimension verified this long ago is due; staleness 1.0."""
    half_life: timedelta = Field(gt=timedelta(0))
    """After this long without verification, confidence halves."""
    priority: float = Field(default=1.0, gt=0.0)
    change_penalty: float = Field(default=0.25, ge=0.0, le=1.0)
    """Confidence lost, as a fraction, per change seen since the last verification."""
    unverified_staleness: float = Field(default=2.0, gt=0.0)
    """Staleness of a pair never verified: ahead of pairs just come due, behind long-forgotten ones."""
    value_unit: Decimal = Field(default=Decimal(100), gt=0)
    """Business value at which the value weight reaches ``1 + ln 2``."""


class VerificationState(_Value):
    """What Concord knows about one (entity, dimension) pair's verification.

    ``business_value`` is in the deployment's reporting currency (an order's total, a customer's
    revenue); ``priority_override``, set by an operator, replaces the schedule's priority.
    """

    entity_id: EntityId
    dimension: str = Field(min_length=1)
    last_verified_at: AwareDatetime | None = None
    outcome: VerificationOutcome = VerificationOutcome.UNKNOWN
    changes_since_verified: int = Field(default=0, ge=0)
    last_changed_at: AwareDatetime | None = None
    business_value: Decimal = Field(default=Decimal(0), ge=0)
    priority_override: float | None = Field(default=None, gt=0.0)

    def verified(self, at: datetime, outcome: VerificationOutcome) -> "VerificationState":
        """The state after a verification at ``at``; an older result than the one held changes nothing.

        Raises :class:`InvalidInput` for a naive ``at``.
        """
        _require_aware(at)
        if self.last_verified_at is not None and at < self.last_verified_at:
            return self
        later_changes = self.last_changed_at is not None and self.last_changed_at > at
        # A change stamped after this verification is one it could not have seen.
        return self._with(last_verified_at=at, outcome=outcome, changes_since_verified=int(later_changes))

    def changed(self, at: datetime) -> "VerificationState":
        """The state after a change at ``at``; a change older than the last verification is already seen.

        Raises :class:`InvalidInput` for a naive ``at``.
        """
        _require_aware(at)
        last_changed = at if self.last_changed_at is None else max(at, self.last_changed_at)
        unseen = self.last_verified_at is None or at > self.last_verified_at
        return self._with(
            last_changed_at=last_changed, changes_since_verified=self.changes_since_verified + int(unseen)
        )

    def with_priority_override(self, priority: float | None) -> "VerificationState":
        """The state with an operator's priority (``None`` returns to the schedule's priority)."""
        return self._with(priority_override=priority)

    def with_business_value(self, value: Decimal) -> "VerificationState":
        """The state with a new business value (must be non-negative)."""
        return self._with(business_value=value)

    def _with(self, **changes: object) -> "VerificationState":
        # model_copy(update=...) skips validation; this keeps datetimes aware and numbers in range.
        return VerificationState.model_validate({**self.model_dump(), **changes})


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(f"{at.isoformat()} has no timezone; Concord keeps aware UTC datetimes")


def _age(state: VerificationState, now: datetime) -> timedelta | None:
    if state.last_verified_at is None:
        return None
    return max(timedelta(0), now - state.last_verified_at)


def confidence(state: VerificationState, schedule: DimensionSchedule, now: datetime) -> float:
    """How much the last verification still says, in [0, 1].

    0 when never verified or the outcome was unknown; otherwise halves every ``half_life`` and loses
    ``change_penalty`` per change since. Non-increasing in ``now`` and in the age of the verification.
    """
    age = _age(state, now)
    if age is None or state.outcome is VerificationOutcome.UNKNOWN:
        return 0.0
    decay = math.pow(0.5, age / schedule.half_life)
    return decay * math.pow(1.0 - schedule.change_penalty, state.changes_since_verified)


def staleness(state: VerificationState, schedule: DimensionSchedule, now: datetime) -> float:
    """Time since last verified in cadences (1.0 = exactly one cadence ago)."""
    age = _age(state, now)
    return schedule.unverified_staleness if age is None else age / schedule.cadence


def value_weight(value: Decimal, unit: Decimal) -> float:
    """``1 + ln(1 + value / unit)``: at least 1, growing ever more slowly with value."""
    return 1.0 + math.log1p(float(max(Decimal(0), value) / unit))


def effective_priority(state: VerificationState, schedule: DimensionSchedule) -> float:
    """The operator's override if set, else the dimension's priority."""
    return schedule.priority if state.priority_override is None else state.priority_override


def dueness(state: VerificationState, schedule: DimensionSchedule, now: datetime) -> float:
    """priority x staleness x value weight: how urgently the pair should be verified (higher first)."""
    weight = value_weight(state.business_value, schedule.value_unit)
    return effective_priority(state, schedule) * staleness(state, schedule, now) * weight


def next_due_at(state: VerificationState, schedule: DimensionSchedule) -> datetime | None:
    """When the pair comes due: one cadence after the last verification; ``None`` = due now (never verified).

    Priority orders due pairs but does not bring a pair forward; an operator who needs a pair
    verified now requests a refresh.
    """
    return None if state.last_verified_at is None else state.last_verified_at + schedule.cadence


def is_due(state: VerificationState, schedule: DimensionSchedule, now: datetime) -> bool:
    """Whether the pair should be verified at ``now``."""
    due_at = next_due_at(state, schedule)
    return due_at is None or now >= due_at


class DuePair(_Value):
    """A pair the scheduler may verify and what doing so costs, in API requests per platform."""

    state: VerificationState
    cost: dict[System, int] = Field(default_factory=dict)


class PulseSweep(_Value):
    """What the pulse's last sweep found and did (the health page's pulse backlog)."""

    swept_at: AwareDatetime
    holder: str
    """The replica holding the pulse lease."""
    due: int = Field(ge=0)
    """Due pairs with linked records found among the candidates."""
    requested: int = Field(ge=0)
    backlog: int = Field(ge=0)
    """Due pairs left for later sweeps (over the request limit or the API allowance)."""
    unlinked: int = Field(ge=0)
    """Due pairs whose entity has no linked record yet."""
    spent: dict[System, int] = Field(default_factory=dict)
    """API requests the sweep's refreshes cost, per platform."""


class RankedPair(_Value):
    """A pair chosen for verification, with its due-ness and cost."""

    entity_id: EntityId
    dimension: str
    dueness: float
    cost: dict[System, int]


def rank_due(
    pairs: Iterable[DuePair],
    schedules: Mapping[str, DimensionSchedule],
    now: datetime,
    *,
    budget: Mapping[System, int],
    limit: int,
) -> tuple[RankedPair, ...]:
    """The at most ``limit`` due pairs to verify now, most due first, within the request budget.

    Greedy by due-ness (ties by entity id, then dimension): a pair that would overrun any
    platform's remaining budget (a platform missing from ``budget`` has none) is skipped and cheaper
    pairs behind it may still fit. The summed cost never exceeds ``budget`` on any platform.
    Raises :class:`InvalidInput` for a pair whose dimension has no schedule or a negative cost.
    """
    ranked = sorted(_due(pairs, schedules, now), key=lambda p: (-p.dueness, p.entity_id, p.dimension))
    remaining = dict(budget)
    chosen: list[RankedPair] = []
    for pair in ranked:
        if len(chosen) >= limit:
            break
        if all(spend <= remaining.get(system, 0) for system, spend in pair.cost.items()):
            for system, spend in pair.cost.items():
                remaining[system] = remaining.get(system, 0) - spend
            chosen.append(pair)
    return tuple(chosen)


def _due(
    pairs: Iterable[DuePair], schedules: Mapping[str, DimensionSchedule], now: datetime
) -> list[RankedPair]:
    due: list[RankedPair] = []
    for pair in pairs:
        schedule = schedules.get(pair.state.dimension)
        if schedule is None:
            raise InvalidInput(f"no schedule for dimension {pair.state.dimension!r}")
        if any(spend < 0 for spend in pair.cost.values()):
            raise InvalidInput(f"negative request cost for {pair.state.entity_id}/{pair.state.dimension}")
        if is_due(pair.state, schedule, now):
            score = dueness(pair.state, schedule, now)
            due.append(
                RankedPair(
                    entity_id=pair.state.entity_id,
                    dimension=pair.state.dimension,
                    dueness=score,
                    cost=pair.cost,
                )
            )
    return due
