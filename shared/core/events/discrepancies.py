"""Discrepancy lifecycle events: opened, changed, resolved, all on one topic keyed by entity.

``revision`` counts the transitions of one discrepancy episode: ``DiscrepancyOpened`` is revision 1
and every later event of the same ``discrepancy_id`` is one higher, so a consumer that stores the
highest revision it applied can ignore replays and stale reorderings.
"""

from typing import Literal, Self

from pydantic import Field, model_validator

from shared.core.events.envelope import Message, MessageId, Name, UtcDatetime
from shared.core.events.ids import DiscrepancyId
from shared.core.findings import DiscrepancyKind, Finding

ResolutionReason = Literal["converged", "synced", "ignored", "record_deleted", "unlinked"]
"""Why a discrepancy closed: the systems agree again on their own, a sync fixed it, an operator
accepted the difference, a record involved is gone, or the records are no longer linked."""


class _DiscrepancyEvent(Message):
    discrepancy_id: DiscrepancyId
    revision: int = Field(ge=1)
    opened_at: UtcDatetime
    """When this episode opened; part of the natural key of ``discrepancy_id``."""


class DiscrepancyOpened(_DiscrepancyEvent):
    """A new disagreement on one (entity, dimension): the first finding of a new episode."""

    type: Literal["discrepancy_opened"] = "discrepancy_opened"
    schema_version: Literal[1] = 1
    finding: Finding

    @model_validator(mode="after")
    def _opened_is_the_first_revision(self) -> Self:
        if self.revision != 1:
            raise ValueError("a discrepancy opens at revision 1")
        return self

    @property
    def partition_key(self) -> str:
        """The entity id of the finding."""
        return self.finding.entity_id


class DiscrepancyChanged(_DiscrepancyEvent):
    """The disagreement is still there but its finding changed (values, fields or kind)."""

    type: Literal["discrepancy_changed"] = "discrepancy_changed"
    schema_version: Literal[1] = 1
    finding: Finding
    previous_kind: DiscrepancyKind

    @model_validator(mode="after")
    def _changed_follows_opened(self) -> Self:
        if self.revision < 2:
            raise ValueError("a change comes after the opening revision")
        return self

    @property
    def partition_key(self) -> str:
        """The entity id of the finding."""
        return self.finding.entity_id


class DiscrepancyResolved(_DiscrepancyEvent):
    """The disagreement is gone; ``last_finding`` is what it was when it was last seen."""

    type: Literal["discrepancy_resolved"] = "discrepancy_resolved"
    schema_version: Literal[1] = 1
    last_finding: Finding
    resolved_at: UtcDatetime
    resolution: ResolutionReason
    resolved_by: Name | None = None
    """The operator or service that resolved it, when it was a decision (``ignored``, ``synced``)."""
    command_id: MessageId | None = None
    """The sync command that fixed it; required when ``resolution`` is ``synced``."""

    @model_validator(mode="after")
    def _resolution_is_explained(self) -> Self:
        if self.revision < 2:
            raise ValueError("a resolution comes after the opening revision")
        if self.resolution == "synced" and self.command_id is None:
            raise ValueError("a synced resolution names the sync command")
        if self.resolved_at < self.opened_at:
            raise ValueError("a discrepancy cannot resolve before it opened")
        return self

    @property
    def partition_key(self) -> str:
        """The entity id of the last finding."""
        return self.last_finding.entity_id


__all__ = ["DiscrepancyChanged", "DiscrepancyOpened", "DiscrepancyResolved", "ResolutionReason"]
