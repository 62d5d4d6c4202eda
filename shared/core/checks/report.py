"""Turning field disagreements into one finding: evidence, owner verdict, actions, explanation."""

from collections.abc import Sequence
from datetime import datetime

from shared.core.checks.compare import KIND_SEVERITY, Agreement, is_empty, render
from shared.core.checks.evidence import last_change, platform_value
from shared.core.checks.explain import field_explanation
from shared.core.checks.fields import FieldDiff
from shared.core.findings import (
    DiscrepancyKind,
    Finding,
    Ignore,
    OwnerVerdict,
    PerFieldChoice,
    PlatformValue,
    SuggestedAction,
    SyncDirection,
)
from shared.core.model import EntityId, EntityType, Surface, System
from shared.core.policy.model import FollowerMode, Policy

EVENT_SURFACE: dict[System, Surface] = {
    System.HUBSPOT: Surface.WEBHOOK,
    System.SHOPIFY: Surface.WEBHOOK,
    System.NETSUITE: Surface.POLL,
}
"""The surface that normally reports a platform's changes; a pulse finding drift means it missed one."""


def field_finding(
    *,
    check: str,
    dimension: str,
    entity_id: EntityId,
    entity_type: EntityType,
    diffs: Sequence[FieldDiff],
    policy: Policy,
    now: datetime,
) -> Finding:
    """One finding for a non-empty list of field disagreements of one dimension."""
    kind = max((diff.kind for diff in diffs), key=KIND_SEVERITY.__getitem__)
    return Finding(
        entity_id=entity_id,
        entity_type=entity_type,
        dimension=dimension,
        check=check,
        kind=kind,
        fields=tuple(diff.field for diff in diffs),
        values=_values(diffs, now),
        verdict=_verdict(diffs, kind, entity_type, dimension, policy),
        suggested_actions=suggested_actions(diffs),
        explanation=". ".join(field_explanation(diff, policy.label, now) for diff in diffs),
        found_at=now,
        passive_drift_surface=_passive_drift_surface(diffs),
    )


def rule_ids(policy: Policy, entity_type: EntityType, fields: Sequence[str]) -> str:
    """``default@1:customer.email`` for one field, ``default@1:customer.email,customer.phone`` for more."""
    return f"{policy.label}:" + ",".join(f"{entity_type.value}.{field}" for field in fields)


def _values(diffs: Sequence[FieldDiff], now: datetime) -> tuple[PlatformValue, ...]:
    return tuple(
        platform_value(side.snapshot, diff.field, render(side.value), now)
        for diff in diffs
        for side in (diff.reference, *(s for s, _ in diff.differing))
    )


def _verdict(
    diffs: Sequence[FieldDiff], kind: DiscrepancyKind, entity_type: EntityType, dimension: str, policy: Policy
) -> OwnerVerdict:
    owners = {diff.owner for diff in diffs}
    strategies = {diff.rule.strategy.value for diff in diffs}
    uniform = len(owners) == 1 and len(strategies) == 1
    auto = (
        kind is DiscrepancyKind.SOFT_DRIFT
        and policy.dimension_rule(entity_type, dimension).auto_approve_soft_drift
        and all(_mirrors_owner(diff) for diff in diffs)
    )
    return OwnerVerdict(
        owner=next(iter(owners)) if uniform else None,
        strategy=next(iter(strategies)) if uniform else "per_field",
        policy=rule_ids(policy, entity_type, [diff.field for diff in diffs]),
        auto_approvable=auto,
    )


def _mirrors_owner(diff: FieldDiff) -> bool:
    """Whether syncing the owner's value over every differing side is safe to do unasked."""
    if diff.owner is None or diff.reference.system is not diff.owner:
        return False
    if is_empty(diff.reference.value) and not diff.rule.allow_empty_overwrite:
        return False
    # Inside the grace window a follower's newer value may be a change the owner has yet to receive;
    # overwriting it unasked could lose it, so only an owner-newest real difference is auto-approvable.
    owner_change = last_change(diff.reference.snapshot)
    if diff.agreement is Agreement.DIFFERENT and any(
        last_change(s.snapshot) > owner_change for s, _ in diff.differing
    ):
        return False
    return all(diff.rule.mode_of(side.system) is FollowerMode.MIRROR for side, _ in diff.differing)


def suggested_actions(diffs: Sequence[FieldDiff]) -> tuple[SuggestedAction, ...]:
    """Syncs from the winning side first (or from a proposing follower, when its change is the newer),
    then the opposite syncs, then a per-field choice when there is more than one field or no winner,
    then ignore. An empty value is never a sync source unless the field allows empty overwrites."""
    forward: dict[tuple[System, System], list[str]] = {}
    backward: dict[tuple[System, System], list[str]] = {}
    for diff in diffs:
        for side, _ in diff.differing:
            proposal = _is_proposal(diff, side.system)
            first, second = (backward, forward) if proposal else (forward, backward)
            _add(first, diff, diff.reference.system, side.system, diff.reference.value)
            _add(second, diff, side.system, diff.reference.system, side.value)
    for pair, fields in backward.items():
        merged = forward.setdefault(pair, [])
        merged += [field for field in fields if field not in merged]
    actions: list[SuggestedAction] = [
        SyncDirection(source=source, target=target, fields=tuple(fields))
        for (source, target), fields in forward.items()
    ]
    if len(diffs) > 1 or any(diff.owner is None for diff in diffs):
        actions.append(PerFieldChoice(fields=tuple(diff.field for diff in diffs)))
    actions.append(Ignore())
    return tuple(actions)


def _add(
    into: dict[tuple[System, System], list[str]],
    diff: FieldDiff,
    source: System,
    target: System,
    value: object,
) -> None:
    if is_empty(value) and not diff.rule.allow_empty_overwrite:
        return
    fields = into.setdefault((source, target), [])
    if diff.field not in fields:
        fields.append(diff.field)


def _is_proposal(diff: FieldDiff, follower: System) -> bool:
    if diff.owner is None or diff.rule.mode_of(follower) is not FollowerMode.PROPOSE:
        return False
    follower_side = next(side for side, _ in diff.differing if side.system is follower)
    return last_change(follower_side.snapshot) > last_change(diff.reference.snapshot)


def _passive_drift_surface(diffs: Sequence[FieldDiff]) -> Surface | None:
    snapshots = [
        side.snapshot for diff in diffs for side in (diff.reference, *(s for s, _ in diff.differing))
    ]
    newest = max(snapshots, key=last_change)
    return EVENT_SURFACE[newest.ref.system] if newest.surface is Surface.PULSE else None
