"""From lifecycle transitions (``shared.core.discrepancy``) to the discrepancy topic's events."""

from collections.abc import Sequence
from datetime import datetime

from shared.core import discrepancy as lifecycle
from shared.core.events import (
    DiscrepancyChanged,
    DiscrepancyOpened,
    DiscrepancyResolved,
    Message,
    ResolutionReason,
    caused_by,
    discrepancy_event_id,
    discrepancy_id_for,
)
from shared.core.repositories import DiscrepancyEvent, StoredDiscrepancy


def discrepancy_event(
    transition: lifecycle.DiscrepancyOpened | lifecycle.DiscrepancyChanged | lifecycle.DiscrepancyResolved,
    *,
    cause: Message,
    producer: str,
    now: datetime,
    resolution: ResolutionReason = "converged",
) -> DiscrepancyEvent:
    """The event announcing ``transition``; its id is one per (episode, revision), so a replay of the
    same transition is the same message."""
    found = transition.discrepancy
    discrepancy_id = discrepancy_id_for(found.entity_id, found.dimension, found.opened_at)
    envelope = caused_by(
        cause,
        producer=producer,
        produced_at=now,
        message_id=discrepancy_event_id(discrepancy_id, found.revision),
    )
    if isinstance(transition, lifecycle.DiscrepancyOpened):
        return DiscrepancyOpened(
            **envelope, discrepancy_id=discrepancy_id, revision=found.revision, opened_at=found.opened_at,
            finding=found.finding,
        )  # fmt: skip
    if isinstance(transition, lifecycle.DiscrepancyChanged):
        return DiscrepancyChanged(
            **envelope, discrepancy_id=discrepancy_id, revision=found.revision, opened_at=found.opened_at,
            finding=found.finding, previous_kind=transition.previous.kind,
        )  # fmt: skip
    return DiscrepancyResolved(
        **envelope, discrepancy_id=discrepancy_id, revision=found.revision, opened_at=found.opened_at,
        last_finding=found.finding, resolved_at=found.resolved_at or now, resolution=resolution,
    )  # fmt: skip


__all__ = ["discrepancy_event"]


def with_outbox(
    stored: Sequence[StoredDiscrepancy],
    latest: Sequence[lifecycle.Discrepancy],
    events: dict[str, list[DiscrepancyEvent]],
) -> list[StoredDiscrepancy]:
    """The episodes to write: every one that changed, with its new events queued after any still
    pending, and every unchanged one whose events an earlier run left pending (those first)."""
    before = {s.discrepancy.id: s for s in stored}
    changed: list[StoredDiscrepancy] = []
    for discrepancy in latest:
        known = before.get(discrepancy.id)
        if known is not None and known.discrepancy == discrepancy and not known.pending:
            continue
        pending = (*(known.pending if known else ()), *events.get(discrepancy.id, []))
        changed.append(StoredDiscrepancy(discrepancy=discrepancy, pending=pending))
    written = {item.discrepancy.id for item in changed}
    return [*(s for s in stored if s.pending and s.discrepancy.id not in written), *changed]
