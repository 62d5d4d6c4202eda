"""From lifecycle transitions (``shared.core.discrepancy``) to the discrepancy topic's events."""

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
from shared.core.repositories import DiscrepancyEvent


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
