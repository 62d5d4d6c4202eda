"""Sync commands (published by the dashboard) and their results (published by the syncer)."""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.core.events.envelope import Message, MessageId, Name, UtcDatetime
from shared.core.events.ids import DiscrepancyId
from shared.core.events.sync_actions import SyncAction
from shared.core.model import EntityId, EntityType, ExternalRef

FieldImage = dict[str, str | None]
"""Canonical field name -> value rendered as text (``None`` when empty)."""

SyncOutcome = Literal["applied", "rejected_stale", "failed", "dead", "verified"]
"""``applied``: written; ``rejected_stale``: the target changed since approval, nothing written;
``failed``: this attempt failed and will be retried; ``dead``: given up; ``verified``: the read-back
after the write agrees."""


def _unique_refs(refs: list[ExternalRef], what: str) -> None:
    if len({ref.key for ref in refs}) != len(refs):
        raise ValueError(f"{what} must not repeat a record")


class SeenRecord(BaseModel):
    """One record as the approver saw it: the precondition the syncer checks before writing."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    ref: ExternalRef
    source_version: str | None
    values: FieldImage


class SyncCommand(Message):
    """An approved change to propagate; exactly one syncer handles it.

    ``idempotency_key`` identifies the intent (the same approval submitted twice has the same key)
    while ``command_id`` identifies this command. ``discrepancy_revision`` is the revision the
    approver looked at, so a command approved against an outdated discrepancy can be rejected.
    """

    type: Literal["sync_command"] = "sync_command"
    schema_version: Literal[1] = 1
    command_id: MessageId
    idempotency_key: MessageId
    entity_id: EntityId
    entity_type: EntityType
    dimension: Name
    discrepancy_id: DiscrepancyId | None = None
    discrepancy_revision: int | None = Field(default=None, ge=1)
    action: SyncAction
    approved_by: Name
    approved_at: UtcDatetime
    reason: str | None = None
    auto_approved: bool = False
    policy: Name | None = None
    """The policy rule behind the action; required when ``auto_approved``."""
    seen: tuple[SeenRecord, ...] = ()

    @model_validator(mode="after")
    def _approval_is_accountable(self) -> Self:
        if self.auto_approved and self.policy is None:
            raise ValueError("an auto-approved command names the policy that approved it")
        if self.discrepancy_revision is not None and self.discrepancy_id is None:
            raise ValueError("a discrepancy revision needs the discrepancy id")
        _unique_refs([record.ref for record in self.seen], "seen")
        return self

    @property
    def partition_key(self) -> str:
        """The entity id: commands for one entity are applied in order."""
        return self.entity_id


class RecordWrite(BaseModel):
    """One record written (or attempted): its fields before and after, for audit and undo."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    ref: ExternalRef
    before: FieldImage
    after: FieldImage
    source_version: str | None = None
    """The version the platform reported after the write, when it reports one."""


class SyncResult(Message):
    """The outcome of one attempt at one sync command."""

    type: Literal["sync_result"] = "sync_result"
    schema_version: Literal[1] = 1
    command_id: MessageId
    entity_id: EntityId
    discrepancy_id: DiscrepancyId | None = None
    outcome: SyncOutcome
    writes: tuple[RecordWrite, ...] = ()
    error: str | None = None
    attempt: Annotated[int, Field(ge=1)]
    finished_at: UtcDatetime

    @model_validator(mode="after")
    def _failures_are_explained(self) -> Self:
        if self.outcome in ("failed", "dead", "rejected_stale") and not self.error:
            raise ValueError(f"a {self.outcome} result explains why in error")
        if self.outcome == "rejected_stale" and self.writes:
            raise ValueError("a stale command writes nothing")
        _unique_refs([write.ref for write in self.writes], "writes")
        return self

    @property
    def written_refs(self) -> tuple[ExternalRef, ...]:
        """The records this attempt wrote."""
        return tuple(write.ref for write in self.writes)

    @property
    def partition_key(self) -> str:
        """The entity id, so results follow their commands in order."""
        return self.entity_id


__all__ = ["FieldImage", "RecordWrite", "SeenRecord", "SyncCommand", "SyncOutcome", "SyncResult"]
