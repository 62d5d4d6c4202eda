"""Presence: every representation the policy expects exists and is linked."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.core.checks.base import EntitySnapshots
from shared.core.checks.evidence import freshness_seconds, platform_value
from shared.core.checks.explain import SYSTEM_NAMES, duration
from shared.core.findings import (
    CreateMissing,
    DiscrepancyKind,
    Finding,
    Ignore,
    LinkRecords,
    OwnerVerdict,
    PlatformValue,
    SuggestedAction,
)
from shared.core.model import EntityType, System
from shared.core.policy.model import Expectation, Policy

UNSCORED_LINK_CONFIDENCE = 0.5
"""Confidence of a link candidate the matcher did not score."""


@dataclass(frozen=True)
class PresenceCheck:
    """Reports, as ``missing``, each expected platform that holds no live, linked record.

    An expectation applies in the lifecycle states it lists (all when none) and, with ``when_present``,
    only while that platform holds the entity; that platform is then the source to create from.
    """

    entity_type: EntityType
    dimension: str = "presence"
    fields: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """``<entity type>_presence``."""
        return f"{self.entity_type.value}_presence"

    def evaluate(self, entity: EntitySnapshots, policy: Policy, now: datetime) -> Sequence[Finding]:
        """The ``missing`` finding for this entity, if any expected representation is absent."""
        if entity.entity_type is not self.entity_type:
            return ()
        unmet = [(i, e) for i, e in enumerate(policy.expectations(self.entity_type)) if _unmet(e, entity)]
        if not unmet:
            return ()
        live = entity.live
        rules = ",".join(f"{self.entity_type.value}.expect.{index}" for index, _ in unmet)
        first = unmet[0][1]
        return (
            Finding(
                entity_id=entity.entity_id,
                entity_type=self.entity_type,
                dimension=self.dimension,
                check=self.name,
                kind=DiscrepancyKind.MISSING,
                values=_evidence(entity, [e.system for _, e in unmet], now),
                verdict=OwnerVerdict(
                    owner=first.when_present or next(iter(live), None),
                    strategy="expectation",
                    policy=f"{policy.label}:{rules}",
                ),
                suggested_actions=_actions(entity, [e for _, e in unmet]),
                explanation=_explanation(entity, [e for _, e in unmet], policy.label, now),
                found_at=now,
            ),
        )


def _unmet(expectation: Expectation, entity: EntitySnapshots) -> bool:
    live = entity.live
    if expectation.system in live:
        return False
    if expectation.when_present is not None and expectation.when_present not in live:
        return False
    return not expectation.states or entity.state.value in expectation.states


def _evidence(entity: EntitySnapshots, absent: list[System], now: datetime) -> tuple[PlatformValue, ...]:
    present = [platform_value(s, None, s.ref.key, now) for s in entity.live.values()]
    gone = []
    for system in dict.fromkeys(absent):
        snapshot = entity.snapshots.get(system)
        if snapshot is not None and snapshot.deleted:
            gone.append(platform_value(snapshot, None, None, now))
        else:
            gone.append(PlatformValue(system=system, value=None, confidence=1.0))
    return (*present, *gone)


def _actions(entity: EntitySnapshots, unmet: list[Expectation]) -> tuple[SuggestedAction, ...]:
    actions: list[SuggestedAction] = []
    for expectation in unmet:
        candidate = entity.snapshots.get(expectation.system)
        if candidate is not None and not candidate.deleted and expectation.system not in entity.linked:
            confidence = entity.link_confidence.get(expectation.system, UNSCORED_LINK_CONFIDENCE)
            actions.append(LinkRecords(ref=candidate.ref, confidence=confidence))
            continue
        source = expectation.when_present or next(iter(entity.live), None)
        if source is not None:
            actions.append(CreateMissing(source=source, target=expectation.system))
    actions.append(Ignore())
    return tuple(dict.fromkeys(actions))


def _explanation(entity: EntitySnapshots, unmet: list[Expectation], label: str, now: datetime) -> str:
    held = (
        ", ".join(
            f"{SYSTEM_NAMES[s]} holds it ({snap.surface.value}, {duration(freshness_seconds(snap, now))} old)"
            for s, snap in entity.live.items()
        )
        or "no platform holds it"
    )
    reasons = []
    for expectation in unmet:
        where = f"while in {SYSTEM_NAMES[expectation.when_present]}" if expectation.when_present else "always"
        snapshot = entity.snapshots.get(expectation.system)
        state = (
            "deleted"
            if snapshot is not None and snapshot.deleted
            else ("not linked" if snapshot is not None else "absent")
        )
        reasons.append(
            f"{SYSTEM_NAMES[expectation.system]} is {state} but expected {where} "
            f"(state {entity.state.value}) per {label}"
        )
    return f"{held}; " + "; ".join(reasons)


CHECKS = tuple(PresenceCheck(entity_type) for entity_type in EntityType)
