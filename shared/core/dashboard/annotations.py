"""What operators add to an entity: metadata, assignments, comments, snoozes and ignores, audited.

Values only; the dashboard's store saves a whole :class:`EntityAnnotations` with a revision guard,
so two operators editing at once cannot lose each other's change silently.
"""

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.core.model import EntityId

Hold = Literal["snoozed", "ignored"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AuditEntry(_Value):
    """One operator change: who, when, what, from which value to which."""

    at: AwareDatetime
    by: str
    what: str
    before: str | None = None
    after: str | None = None
    reason: str | None = None


class Comment(_Value):
    at: AwareDatetime
    by: str
    dimension: str
    text: str


class HeldDimension(_Value):
    """A dimension an operator ignored (accepted as is) or snoozed until ``until``."""

    hold: Hold
    by: str
    at: AwareDatetime
    reason: str
    until: AwareDatetime | None = None

    def active(self, now: datetime) -> bool:
        """Whether the hold still applies at ``now`` (an ignore always does)."""
        return self.until is None or now < self.until


class EntityAnnotations(_Value):
    """Everything operators added to one entity; ``revision`` counts saves."""

    entity_id: EntityId
    revision: int = 0
    metadata: dict[str, str] = {}
    assignments: dict[str, str] = {}
    """Dimension -> the operator it is assigned to."""
    holds: dict[str, HeldDimension] = {}
    comments: tuple[Comment, ...] = ()
    audit: tuple[AuditEntry, ...] = ()

    def _audited(self, entry: AuditEntry, **changes: object) -> "EntityAnnotations":
        return self.model_copy(update={**changes, "audit": (*self.audit, entry)})

    def with_metadata(self, key: str, value: str | None, *, by: str, at: datetime) -> "EntityAnnotations":
        """Set (or, with ``None``/empty, remove) one metadata attribute, audited."""
        metadata = dict(self.metadata)
        before = metadata.pop(key, None)
        if value:
            metadata[key] = value
        entry = AuditEntry(at=at, by=by, what=f"metadata.{key}", before=before, after=value or None)
        return self._audited(entry, metadata=metadata)

    def assigned(self, dimension: str, operator: str | None, *, by: str, at: datetime) -> "EntityAnnotations":
        """Assign ``dimension`` to ``operator`` (``None`` unassigns), audited."""
        assignments = dict(self.assignments)
        before = assignments.pop(dimension, None)
        if operator:
            assignments[dimension] = operator
        entry = AuditEntry(at=at, by=by, what=f"assignee.{dimension}", before=before, after=operator)
        return self._audited(entry, assignments=assignments)

    def held(self, dimension: str, hold: HeldDimension) -> "EntityAnnotations":
        """Ignore or snooze ``dimension``; a reason is part of the hold."""
        entry = AuditEntry(
            at=hold.at, by=hold.by, what=f"{hold.hold}.{dimension}",
            after=hold.until.isoformat() if hold.until else hold.hold, reason=hold.reason,
        )  # fmt: skip
        return self._audited(entry, holds={**self.holds, dimension: hold})

    def released(self, dimension: str, *, by: str, at: datetime) -> "EntityAnnotations":
        """Lift an ignore or snooze of ``dimension``."""
        holds = {name: hold for name, hold in self.holds.items() if name != dimension}
        entry = AuditEntry(at=at, by=by, what=f"release.{dimension}")
        return self._audited(entry, holds=holds)

    def commented(self, comment: Comment) -> "EntityAnnotations":
        return self.model_copy(update={"comments": (*self.comments, comment)})

    def is_held(self, dimension: str, now: datetime) -> bool:
        """Whether ``dimension`` is ignored or still snoozed at ``now``."""
        hold = self.holds.get(dimension)
        return hold is not None and hold.active(now)


__all__ = ["AuditEntry", "Comment", "EntityAnnotations", "HeldDimension", "Hold"]
