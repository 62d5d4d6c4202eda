"""What the entity view shows, computed from stored records: values side by side, freshness, links,
and the timeline that explains why a discrepancy exists."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.core.dashboard.freshness import since_text
from shared.core.discrepancy import Discrepancy
from shared.core.findings import Finding
from shared.core.model import ExternalRef, System
from shared.core.sync import CommandRecord, image_of, same_text
from shared.core.sync.model import AnySnapshot


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldComparison(_Value):
    """One canonical field across the entity's records; ``differs`` when two platforms disagree."""

    field: str
    values: dict[System, str | None]
    differs: bool


def compare_fields(snapshots: Sequence[AnySnapshot]) -> list[FieldComparison]:
    """Every field some live record represents, each platform's rendered value, differences marked."""
    live = [s for s in snapshots if not s.deleted]
    names = sorted({name for s in live for name in s.represented})
    images = {s.ref.system: image_of(s.values, s.represented) for s in live}
    rows: list[FieldComparison] = []
    for name in names:
        values = {system: image[name] for system, image in images.items() if name in image}
        texts = list(values.values())
        differs = any(not same_text(texts[0], other) for other in texts[1:])
        rows.append(FieldComparison(field=name, values=values, differs=differs))
    return rows


class PlatformEvidence(_Value):
    """One platform's record as evidence: how fresh, which surface, how trustworthy, whether it owns."""

    system: System
    ref: str
    observed: str
    source_updated: str
    surface: str
    confidence: float | None
    owner: bool
    deleted: bool


def evidence(
    snapshots: Sequence[AnySnapshot], finding: Finding | None, now: datetime
) -> list[PlatformEvidence]:
    """Per record: its freshness (since observed, since the source's own update), surface, the
    finding's confidence in it, and whether the finding's owner verdict names its platform."""
    confidence = {v.system: v.confidence for v in finding.values} if finding else {}
    owner = finding.verdict.owner if finding else None
    return [
        PlatformEvidence(
            system=s.ref.system,
            ref=s.ref.key,
            observed=since_text(s.observed_at, now),
            source_updated=since_text(s.source_updated_at, now),
            surface=s.surface.value,
            confidence=confidence.get(s.ref.system),
            owner=s.ref.system is owner,
            deleted=s.deleted,
        )
        for s in sorted(snapshots, key=lambda s: s.ref.key)
    ]


def deep_link(templates: Mapping[System, str], ref: ExternalRef) -> str | None:
    """The record's URL in its platform's own UI, from the configured template (``None`` if none)."""
    template = templates.get(ref.system)
    if template is None:
        return None
    return template.format(object_type=ref.object_type, external_id=ref.external_id, system=ref.system.value)


class TimelineEvent(_Value):
    at: AwareDatetime
    source: str
    what: str


def timeline(
    discrepancies: Sequence[Discrepancy], commands: Sequence[CommandRecord], snapshots: Sequence[AnySnapshot]
) -> list[TimelineEvent]:
    """Observations, discrepancy transitions and commands of the entity, newest first."""
    events = [
        TimelineEvent(at=s.observed_at, source=s.ref.key, what=f"observed via {s.surface.value}"
                      + (f" (version {s.source_version})" if s.source_version else ""))
        for s in snapshots
    ]  # fmt: skip
    for d in discrepancies:
        events += [
            TimelineEvent(at=h.at, source=f"{d.dimension} #{d.episode}",
                          what=f"{h.transition.value} as {h.kind.value}: {h.explanation}")
            for h in d.history
        ]  # fmt: skip
    for record in commands:
        command = record.command
        events.append(
            TimelineEvent(
                at=command.approved_at,
                source=f"command {command.command_id[:8]}",
                what=f"{command.action.kind} approved by {command.approved_by}",
            )
        )
        if record.state.value != "approved":
            detail = f": {record.last_error}" if record.last_error else ""
            events.append(
                TimelineEvent(at=record.updated_at, source=f"command {command.command_id[:8]}",
                              what=f"{record.state.value}{detail}")
            )  # fmt: skip
    return sorted(events, key=lambda e: e.at, reverse=True)


__all__ = [
    "FieldComparison",
    "PlatformEvidence",
    "TimelineEvent",
    "compare_fields",
    "deep_link",
    "evidence",
    "timeline",
]
