"""The messages a finished command publishes: its SyncResult and the refresh that verifies it.

Ids are natural (command, attempt, outcome), so publishing again after a crash yields duplicates
that consumers drop, never a second effect.
"""

from datetime import datetime

from shared.core.events import (
    AnyMessage,
    LinkRecord,
    RefreshRequested,
    SyncCommand,
    SyncOutcome,
    SyncResult,
    UnlinkRecord,
    caused_by,
    sync_result_id,
)
from shared.core.model import ExternalRef, Surface
from shared.core.sync import CommandRecord, CommandState, readback_request_id

PRODUCER = "syncer"

_OUTCOME: dict[CommandState, SyncOutcome] = {
    CommandState.APPLIED: "applied",
    CommandState.REJECTED: "rejected_stale",
    CommandState.FAILED: "failed",
    CommandState.DEAD: "dead",
}


def sync_result(record: CommandRecord, now: datetime) -> SyncResult:
    """The result of ``record``'s latest attempt, in its current state."""
    command, outcome = record.command, _OUTCOME[record.state]
    return SyncResult(
        **caused_by(
            command, producer=PRODUCER, produced_at=now,
            message_id=sync_result_id(command.command_id, record.attempt, outcome),
        ),
        command_id=command.command_id, entity_id=command.entity_id, discrepancy_id=command.discrepancy_id,
        outcome=outcome, writes=() if outcome == "rejected_stale" else record.written(),
        error=record.last_error if outcome != "applied" else None,
        attempt=max(record.attempt, 1), finished_at=now,
    )  # fmt: skip


def refresh_request(record: CommandRecord, now: datetime) -> RefreshRequested | None:
    """The read-back of the written records, or a re-check of what the approver saw; None if neither."""
    command = record.command
    written = [write.ref for write in record.written()]
    refs = _distinct(written or [*(seen.ref for seen in command.seen), *_action_refs(command)])
    if not refs:
        return None
    readback = bool(written)
    return RefreshRequested(
        **caused_by(
            command, producer=PRODUCER, produced_at=now,
            message_id=readback_request_id(command.command_id, record.attempt),
        ),
        refs=tuple(refs), reason="sync_readback" if readback else "recheck",
        surface=Surface.SYNC_READBACK if readback else Surface.PULSE,
        entity_id=command.entity_id, dimension=command.dimension, requested_by=PRODUCER,
    )  # fmt: skip


def final_messages(record: CommandRecord, now: datetime) -> list[AnyMessage]:
    """What a command publishes once it reached a final state."""
    refresh = refresh_request(record, now)
    return [sync_result(record, now), *([refresh] if refresh else [])]


def _action_refs(command: SyncCommand) -> list[ExternalRef]:
    return [command.action.ref] if isinstance(command.action, LinkRecord | UnlinkRecord) else []


def _distinct(refs: list[ExternalRef]) -> list[ExternalRef]:
    return list({ref.key: ref for ref in refs}.values())
