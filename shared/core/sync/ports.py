"""The syncer's port to its command store (``sync_commands``): one writer, the syncer."""

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from shared.core.errors import ConcordError
from shared.core.events import SyncCommand
from shared.core.sync.record import CommandRecord


class ConcurrentUpdate(ConcordError):
    """The record was saved by someone else since it was loaded (another replica took the command)."""


class Admission(BaseModel):
    """What the store knew of a command when it arrived.

    ``record`` is the command's record (new, or as left by an earlier delivery). ``duplicate_of``
    names another command with the same idempotency key: this one is not applied.
    """

    model_config = ConfigDict(frozen=True)

    record: CommandRecord
    new: bool
    duplicate_of: str | None = None


class CommandStore(Protocol):
    """Command records by command id, unique by idempotency key."""

    async def admit(self, command: SyncCommand, *, at: datetime) -> Admission:
        """Record ``command`` as ``approved`` unless it (or its idempotency key) is already known."""
        ...

    async def get(self, command_id: str) -> CommandRecord | None:
        """The record of ``command_id``, or None."""
        ...

    async def save(self, record: CommandRecord) -> CommandRecord:
        """Store ``record`` if the stored revision is still ``record.revision``; returns it with the next
        revision. Raises ``ConcurrentUpdate`` otherwise."""
        ...

    async def due_retries(self, now: datetime, *, limit: int) -> list[CommandRecord]:
        """Up to ``limit`` ``retrying`` commands whose next attempt is due at ``now``, earliest first."""
        ...


__all__ = ["Admission", "CommandStore", "ConcurrentUpdate"]
