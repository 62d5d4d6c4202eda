"""The discrepancy lifecycle: from one check run's findings to opened / changed / resolved transitions.

Pure. A discrepancy is one (entity, dimension) disagreement over one *episode*: it opens when a check
first finds the disagreement, changes when its kind, fields or values materially change, and resolves
when a run of that dimension finds nothing. A later disagreement opens a new episode with a new id.
"""

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PositiveInt

from shared.core.errors import InvalidInput
from shared.core.findings import DiscrepancyKind, Finding
from shared.core.model import EntityId, EntityType

DISCREPANCY_NAMESPACE = uuid.UUID("765d3b49-555d-5295-98c0-5828922047c1")
"""uuid5(NAMESPACE_URL, "concord:discrepancy"): the namespace of discrepancy ids."""


def discrepancy_id(entity_id: EntityId, dimension: str, episode: int) -> str:
    """The deterministic id of one episode of an (entity, dimension) discrepancy."""
    return str(uuid.uuid5(DISCREPANCY_NAMESPACE, f"{entity_id}:{dimension}:{episode}"))


class DiscrepancyStatus(StrEnum):
    """Whether an episode is still open; a resolved episode is never reopened (a new one starts)."""

    OPEN = "open"
    RESOLVED = "resolved"


class TransitionKind(StrEnum):
    """What one check run did to a discrepancy."""

    OPENED = "opened"
    CHANGED = "changed"
    RESOLVED = "resolved"


class HistoryEntry(BaseModel):
    """One transition as recorded in the discrepancy itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    transition: TransitionKind
    revision: PositiveInt
    at: AwareDatetime
    kind: DiscrepancyKind
    fields: tuple[str, ...]
    explanation: str


class Discrepancy(BaseModel):
    """One episode of an (entity, dimension) disagreement; ``finding`` is the latest evidence.

    ``revision`` counts transitions (1 when opened); ``last_seen_at`` is the latest run that still
    found it, which a mere re-observation updates without a transition.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    entity_id: EntityId
    entity_type: EntityType
    dimension: str
    episode: PositiveInt
    revision: PositiveInt
    status: DiscrepancyStatus
    finding: Finding
    opened_at: AwareDatetime
    last_seen_at: AwareDatetime
    resolved_at: AwareDatetime | None = None
    history: tuple[HistoryEntry, ...]

    @property
    def is_open(self) -> bool:
        """Whether the episode is still open."""
        return self.status is DiscrepancyStatus.OPEN


class _Transition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    discrepancy: Discrepancy
    """The discrepancy after the transition."""


class DiscrepancyOpened(_Transition):
    """A new episode began."""

    transition: Literal[TransitionKind.OPENED] = TransitionKind.OPENED


class DiscrepancyChanged(_Transition):
    """The open episode's kind, fields or values changed; ``previous`` is the finding it replaced."""

    transition: Literal[TransitionKind.CHANGED] = TransitionKind.CHANGED
    previous: Finding


class DiscrepancyResolved(_Transition):
    """A run of the dimension found the platforms in agreement."""

    transition: Literal[TransitionKind.RESOLVED] = TransitionKind.RESOLVED


Transition = Annotated[
    DiscrepancyOpened | DiscrepancyChanged | DiscrepancyResolved, Field(discriminator="transition")
]


class LifecycleOutcome(BaseModel):
    """What one run changed: the transitions to publish, and the discrepancies to store (the latest
    episode of every dimension evaluated or previously known, open or resolved)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    transitions: tuple[Transition, ...]
    discrepancies: tuple[Discrepancy, ...]


def material(finding: Finding) -> tuple[object, ...]:
    """What makes two findings the same disagreement: kind, fields, and each platform's value."""
    values = sorted((v.field or "", v.system.value, v.value or "") for v in finding.values)
    return (finding.kind, tuple(sorted(finding.fields)), tuple(values))


def apply_findings(
    previous: Sequence[Discrepancy],
    findings: Sequence[Finding],
    evaluated: Collection[str],
    now: datetime,
) -> LifecycleOutcome:
    """Advance the lifecycle of one entity's discrepancies by one check run.

    ``previous`` holds the entity's latest discrepancy per dimension (open, or resolved so that a new
    episode gets the next number); ``findings`` are the run's findings for the dimensions in
    ``evaluated``; dimensions not evaluated are left as they are. Idempotent: applying the same
    findings again yields no transition. Raises :class:`InvalidInput` when findings or previous
    discrepancies belong to different entities, a finding's dimension was not evaluated, or a
    dimension has two findings.
    """
    latest = _latest_by_dimension(previous)
    by_dimension = _findings_by_dimension(findings, evaluated)
    _require_one_entity([*(d.entity_id for d in latest.values()), *(f.entity_id for f in findings)])
    transitions: list[DiscrepancyOpened | DiscrepancyChanged | DiscrepancyResolved] = []
    for dimension in sorted(evaluated):
        current = latest.get(dimension)
        transition, updated = _step(current, by_dimension.get(dimension), now)
        if updated is not None:
            latest[dimension] = updated
        if transition is not None:
            transitions.append(transition)
    return LifecycleOutcome(
        transitions=tuple(transitions), discrepancies=tuple(latest[d] for d in sorted(latest))
    )


def _step(
    current: Discrepancy | None, finding: Finding | None, now: datetime
) -> tuple[DiscrepancyOpened | DiscrepancyChanged | DiscrepancyResolved | None, Discrepancy | None]:
    if finding is not None and (current is None or not current.is_open):
        opened = _open(finding, (current.episode + 1) if current else 1, now)
        return DiscrepancyOpened(discrepancy=opened), opened
    if current is None or not current.is_open:
        return None, None
    if finding is None:
        resolved = _record(current, TransitionKind.RESOLVED, current.finding, now)
        return DiscrepancyResolved(discrepancy=resolved), resolved
    if material(finding) == material(current.finding):
        return None, current.model_copy(
            update={"finding": finding, "last_seen_at": max(now, current.last_seen_at)}
        )
    changed = _record(current, TransitionKind.CHANGED, finding, now)
    return DiscrepancyChanged(discrepancy=changed, previous=current.finding), changed


def _open(finding: Finding, episode: int, now: datetime) -> Discrepancy:
    return Discrepancy(
        id=discrepancy_id(finding.entity_id, finding.dimension, episode),
        entity_id=finding.entity_id,
        entity_type=finding.entity_type,
        dimension=finding.dimension,
        episode=episode,
        revision=1,
        status=DiscrepancyStatus.OPEN,
        finding=finding,
        opened_at=now,
        last_seen_at=now,
        history=(_entry(TransitionKind.OPENED, 1, finding, now),),
    )


def _record(current: Discrepancy, transition: TransitionKind, finding: Finding, now: datetime) -> Discrepancy:
    revision = current.revision + 1
    resolved = transition is TransitionKind.RESOLVED
    return current.model_copy(
        update={
            "revision": revision,
            "status": DiscrepancyStatus.RESOLVED if resolved else DiscrepancyStatus.OPEN,
            "finding": finding,
            "last_seen_at": current.last_seen_at if resolved else now,
            "resolved_at": now if resolved else None,
            "history": (*current.history, _entry(transition, revision, finding, now)),
        }
    )


def _entry(transition: TransitionKind, revision: int, finding: Finding, now: datetime) -> HistoryEntry:
    return HistoryEntry(
        transition=transition,
        revision=revision,
        at=now,
        kind=finding.kind,
        fields=finding.fields,
        explanation=finding.explanation,
    )


def _latest_by_dimension(previous: Sequence[Discrepancy]) -> dict[str, Discrepancy]:
    latest: dict[str, Discrepancy] = {}
    for discrepancy in previous:
        known = latest.get(discrepancy.dimension)
        if known is None or discrepancy.episode > known.episode:
            latest[discrepancy.dimension] = discrepancy
    return latest


def _findings_by_dimension(findings: Sequence[Finding], evaluated: Collection[str]) -> dict[str, Finding]:
    by_dimension: dict[str, Finding] = {}
    for finding in findings:
        if finding.dimension not in evaluated:
            raise InvalidInput(f"finding for {finding.dimension!r}, which this run did not evaluate")
        if finding.dimension in by_dimension:
            raise InvalidInput(f"two findings for dimension {finding.dimension!r} in one run")
        by_dimension[finding.dimension] = finding
    return by_dimension


def _require_one_entity(entity_ids: Sequence[EntityId]) -> None:
    if len(set(entity_ids)) > 1:
        raise InvalidInput(f"findings and discrepancies of several entities: {sorted(set(entity_ids))}")
