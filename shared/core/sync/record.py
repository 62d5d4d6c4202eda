"""The syncer's record of one command: its state, every attempt, and the audit of every write.

Immutable: each step returns a new record, and the store saves it only if nobody saved another
revision meanwhile (``revision``), so a state change is never lost or applied twice.
"""

import json
import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from shared.core.events import CONCORD_MESSAGE_NAMESPACE, FieldImage, RecordWrite, SyncCommand, UtcDatetime
from shared.core.model import ExternalRef
from shared.core.sync.model import PlannedWrite, SideEffect
from shared.core.sync.plan import UndoImage
from shared.core.sync.state import FINAL_STATES, CommandState, check_transition

AttemptOutcome = Literal["applied", "rejected_stale", "rejected_invalid", "failed", "interrupted"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Attempt(_Value):
    """One try at the command; ``outcome`` None while it runs (or if the syncer died during it)."""

    number: int = Field(ge=1)
    started_at: UtcDatetime
    finished_at: UtcDatetime | None = None
    outcome: AttemptOutcome | None = None
    error: str | None = None


class AuditedWrite(_Value):
    """One planned write and what became of it.

    Logged before the platform is called; ``done_at`` / ``after`` / ``resulting_version`` are set once
    the platform shows the write (from its answer, or from a re-read after a crash).
    ``sent_at`` marks a create that was sent: its outcome cannot be learnt by re-reading.
    """

    write_id: str
    provenance_tag: str
    planned: PlannedWrite
    sent_at: UtcDatetime | None = None
    done_at: UtcDatetime | None = None
    ref: ExternalRef | None = None
    after: FieldImage | None = None
    resulting_version: str | None = None

    def as_result(self) -> RecordWrite | None:
        """The write as a ``SyncResult`` reports it (None until it is done)."""
        if self.done_at is None or self.ref is None:
            return None
        return RecordWrite(
            ref=self.ref,
            before=self.planned.before,
            after=self.after or {},
            source_version=self.resulting_version,
        )

    def undo_image(self) -> UndoImage | None:
        """What an undo needs of this write (None for a create, or a write that did not happen)."""
        if self.done_at is None or self.ref is None or self.planned.operation != "update":
            return None
        return UndoImage(ref=self.ref, before_values=self.planned.before_values, after=self.planned.expected)


class CommandRecord(_Value):
    """The state machine and audit trail of one command (``_id`` = command id in storage)."""

    command: SyncCommand
    state: CommandState = CommandState.APPROVED
    revision: int = 0
    received_at: UtcDatetime
    updated_at: UtcDatetime
    attempts: tuple[Attempt, ...] = ()
    writes: tuple[AuditedWrite, ...] | None = None
    """None until the first attempt planned; then fixed: retries reconcile the same writes."""
    side_effects: tuple[SideEffect, ...] = ()
    policy_rules: tuple[str, ...] = ()
    last_error: str | None = None
    results_published: bool = False
    next_attempt_at: UtcDatetime | None = None
    """While ``retrying``: when the next attempt is due (the command waits in the store, not in a consumer)."""
    requeued_at: UtcDatetime | None = None
    """While ``retrying``: when the due command was last sent back to its topic for the next attempt."""

    @property
    def command_id(self) -> str:
        return self.command.command_id

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def attempt(self) -> int:
        """The number of the latest attempt (0 before the first)."""
        return len(self.attempts)

    def moved(self, state: CommandState, at: datetime, **changes: object) -> Self:
        """This record in ``state``; raises ``IllegalTransition`` if the state machine forbids it."""
        check_transition(self.state, state)
        return self.model_copy(update={"state": state, "updated_at": at, **changes})

    def begin_attempt(self, at: datetime) -> Self:
        """Start the next attempt; an attempt the syncer died in is closed as ``interrupted``."""
        attempts = list(self.attempts)
        if attempts and attempts[-1].outcome is None:
            attempts[-1] = attempts[-1].model_copy(update={"finished_at": at, "outcome": "interrupted"})
        attempts.append(Attempt(number=len(attempts) + 1, started_at=at))
        return self.moved(
            CommandState.APPLYING, at, attempts=tuple(attempts), next_attempt_at=None, requeued_at=None
        )

    def retry_at(self, due: datetime, at: datetime) -> Self:
        """This failed record ``retrying``, its next attempt due at ``due``."""
        return self.moved(CommandState.RETRYING, at, next_attempt_at=due, requeued_at=None)

    def due(self, now: datetime) -> bool:
        """Whether an attempt may start at ``now`` (a ``retrying`` command waits for its time)."""
        if self.state is not CommandState.RETRYING:
            return not self.final
        return self.next_attempt_at is None or self.next_attempt_at <= now

    def end_attempt(
        self, state: CommandState, outcome: AttemptOutcome, at: datetime, error: str | None = None
    ) -> Self:
        """Close the running attempt with ``outcome`` and move to ``state``."""
        last = self.attempts[-1].model_copy(update={"finished_at": at, "outcome": outcome, "error": error})
        record = self.moved(state, at, attempts=(*self.attempts[:-1], last))
        return record.model_copy(update={"last_error": error}) if error else record

    def with_write(self, write: AuditedWrite, at: datetime) -> Self:
        """Replace the write with ``write``'s id by ``write``."""
        writes = tuple(write if w.write_id == write.write_id else w for w in self.writes or ())
        return self.model_copy(update={"writes": writes, "updated_at": at})

    def written(self) -> tuple[RecordWrite, ...]:
        """Every write done so far, as results report them."""
        return tuple(w for w in (r.as_result() for r in self.writes or ()) if w is not None)


def _uuid(*parts: str | int) -> str:
    return str(uuid.uuid5(CONCORD_MESSAGE_NAMESPACE, json.dumps(["syncer", *parts])))


def write_id_for(command_id: str, index: int) -> str:
    """The id of the ``index``-th planned write of a command: stable across retries and restarts."""
    return _uuid("write", command_id, index)


def readback_request_id(command_id: str, attempt: int) -> str:
    """The id of the refresh request that follows ``attempt`` of ``command_id`` (a replay is a duplicate)."""
    return _uuid("refresh", command_id, attempt)


def provenance_tag_for(write_id: str) -> str:
    """The tag a write carries: ``concord-`` and the write id's hex, so an echo names its write."""
    return f"concord-{uuid.UUID(write_id).hex}"


UNDO_SOURCE_STATES = frozenset({CommandState.APPLIED})
"""Only an applied command can be undone."""


__all__ = [
    "UNDO_SOURCE_STATES",
    "Attempt",
    "AttemptOutcome",
    "AuditedWrite",
    "CommandRecord",
    "provenance_tag_for",
    "readback_request_id",
    "write_id_for",
]
