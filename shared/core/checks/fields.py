"""Comparing one canonical field across the platforms of one entity, under the entity's policy."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.core.checks.base import EntitySnapshots
from shared.core.checks.compare import Agreement, classify, compare, is_empty
from shared.core.checks.evidence import last_change
from shared.core.findings import DiscrepancyKind
from shared.core.model import System
from shared.core.policy.lifecycle import AnySnapshot
from shared.core.policy.model import ConflictStrategy, FieldRule, FollowerMode, Policy


def _attribute(field: str) -> Callable[[AnySnapshot], object]:
    return lambda snapshot: getattr(snapshot.values, field)


@dataclass(frozen=True)
class FieldSpec:
    """What to compare as ``field``: by default the snapshot's canonical attribute of that name, on
    every platform that represents it; ``extract``/``represents`` derive a value instead (e.g. an
    order total from its parts) and ``systems`` restricts the platforms compared."""

    field: str
    extract: Callable[[AnySnapshot], object] | None = None
    represents: Callable[[AnySnapshot], bool] | None = None
    systems: frozenset[System] | None = None

    def value_of(self, snapshot: AnySnapshot) -> object:
        """The value compared for this snapshot."""
        return (self.extract or _attribute(self.field))(snapshot)

    def is_represented_by(self, snapshot: AnySnapshot) -> bool:
        """Whether the snapshot's platform can hold this value at all."""
        if self.systems is not None and snapshot.ref.system not in self.systems:
            return False
        return self.represents(snapshot) if self.represents else self.field in snapshot.represented


@dataclass(frozen=True)
class Side:
    """One platform's value of a field."""

    system: System
    snapshot: AnySnapshot
    value: object


@dataclass(frozen=True)
class FieldDiff:
    """A disagreement on one field: the reference side, the sides that differ from it, and why."""

    field: str
    rule: FieldRule
    owner: System | None
    """The side the strategy names the winner (``None``: an operator decides)."""
    reference: Side
    differing: tuple[tuple[Side, Agreement], ...]
    kind: DiscrepancyKind
    both_changed: bool
    newest_change: datetime
    grace: timedelta

    @property
    def agreement(self) -> Agreement:
        """The widest gap between the reference and a differing side."""
        return max(agreement for _, agreement in self.differing)


def compare_field(
    entity: EntitySnapshots, policy: Policy, now: datetime, dimension: str, spec: FieldSpec
) -> FieldDiff | None:
    """The disagreement on ``spec.field`` among the entity's live platforms, ``None`` if they agree.

    Platforms whose mode for the field is ``ignore`` are left out; fewer than two sides agree trivially.
    """
    rule = policy.field_rule(entity.entity_type, spec.field)
    sides = _sides(entity.live, rule, entity.state.value, spec)
    if len(sides) < 2:
        return None
    owner = _verdict_owner(rule, entity.state.value, sides)
    reference = (
        sides[owner] if owner is not None else _fallback_reference(rule.owner_in(entity.state.value), sides)
    )
    tolerance = rule.tolerance
    differing = tuple(
        (side, agreement)
        for side in sides.values()
        if side is not reference and (agreement := compare(reference.value, side.value, tolerance)) > 0
    )
    if not differing:
        return None
    involved = [reference.snapshot, *(side.snapshot for side, _ in differing)]
    newest = max(last_change(snapshot) for snapshot in involved)
    agreed = entity.last_agreed_at.get(dimension)
    both_changed = agreed is not None and sum(last_change(s) > agreed for s in involved) >= 2
    grace = timedelta(seconds=policy.dimension_rule(entity.entity_type, dimension).grace_seconds)
    kind = classify(
        max(agreement for _, agreement in differing),
        newest_change=newest,
        now=now,
        grace=grace,
        both_changed_since_agreement=both_changed,
        ignore_formatting=tolerance.ignore_formatting,
    )
    if kind is None:
        return None
    real = tuple(
        (s, a) for s, a in differing if a is not Agreement.FORMATTING or not tolerance.ignore_formatting
    )
    return FieldDiff(spec.field, rule, owner, reference, real, kind, both_changed, newest, grace)


def _sides(
    live: Mapping[System, AnySnapshot], rule: FieldRule, state: str, spec: FieldSpec
) -> dict[System, Side]:
    owner = rule.owner_in(state)
    return {
        system: Side(system, snapshot, spec.value_of(snapshot))
        for system, snapshot in sorted(live.items(), key=lambda item: item[0])
        if spec.is_represented_by(snapshot)
        and (system == owner or rule.mode_of(system) is not FollowerMode.IGNORE)
    }


def _verdict_owner(rule: FieldRule, state: str, sides: Mapping[System, Side]) -> System | None:
    if rule.strategy is ConflictStrategy.MANUAL:
        return None
    if rule.strategy is ConflictStrategy.MOST_RECENT_WINS:
        return max(sides.values(), key=lambda side: last_change(side.snapshot)).system
    owner = rule.owner_in(state)
    return owner if owner in sides else None


def _fallback_reference(owner: System | None, sides: Mapping[System, Side]) -> Side:
    if owner is not None and owner in sides:
        return sides[owner]
    non_empty = [side for side in sides.values() if not is_empty(side.value)] or list(sides.values())
    return max(non_empty, key=lambda side: last_change(side.snapshot))
