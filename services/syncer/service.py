"""The syncer's use case: carry out one approved command exactly once, with its audit trail.

Per command: admit it (a duplicate idempotency key is dropped), then attempt until a final state.
An attempt re-reads the records, plans (first attempt only; later attempts keep the same planned
writes), and reconciles each planned write with the record as it is now: already showing the
expected post-state -> it happened (a crash after the write); still at the planned base version ->
write it; anything else -> stale, nothing more is written. Every state change is saved before the
next step, so a crash at any point resumes from the store. Transient platform failures are retried
by :func:`shared.core.sync.after_failure`; permanent ones, and commands that cannot be carried out,
end ``dead`` with their reason.

A retry is never waited out here: the command is saved ``retrying`` with its next attempt time and
``run`` returns, so the consumer moves on to the partition's next command. When the time comes the
retry scheduler (:mod:`services.syncer.retries`) sends the command back to its topic, and the
partition's consumer runs the next attempt: only that consumer ever writes for the command.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog

from services.syncer.outcomes import final_messages, sync_result
from services.syncer.platforms import Platforms
from services.syncer.related import RelatedLookup
from shared.core.errors import ConcordError, InvalidInput, PlatformError, RateLimited, Unavailable
from shared.core.events import CreateMissing, SyncCommand, UndoCommand
from shared.core.mapping import FieldNotWritable
from shared.core.model import ExternalRef, Order
from shared.core.policy import Policy
from shared.core.ports import ExpectedWrite, MessagePublisher
from shared.core.sync import (
    AttemptOutcome,
    AuditedWrite,
    CommandRecord,
    CommandState,
    CommandStore,
    PlanInputs,
    RetryPolicy,
    UndoImage,
    after_failure,
    image_of,
    plan_command,
    provenance_tag_for,
    shows,
    write_id_for,
)
from shared.core.sync.dependencies import RelatedRecord
from shared.core.sync.model import AnySnapshot, Reference

log = structlog.get_logger(__name__)


class WriteRecorder(Protocol):
    """The syncer's side of ``sync_writes`` (``MongoSyncWriteRecorder``)."""

    async def record_expected_write(self, write: ExpectedWrite) -> bool: ...
    async def confirm_write(self, write_id: str, *, resulting_version: str | None) -> None: ...


class Stale(ConcordError):
    """A record no longer is what the command was approved (or planned) against."""


@dataclass(frozen=True)
class SyncerDeps:
    store: CommandStore
    platforms: Platforms
    write_log: WriteRecorder
    publisher: MessagePublisher
    policy: Policy
    retry: RetryPolicy
    clock: Callable[[], datetime]
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    pause_after_write: float = 0.0
    related: RelatedLookup | None = None
    """Finds an order's customer and items for its creation (None: an order needing one is not created)."""


class CommandRunner:
    """Applies sync commands; see the module docstring for the guarantees."""

    def __init__(self, deps: SyncerDeps) -> None:
        self._d = deps

    async def run(self, command: SyncCommand) -> CommandRecord | None:
        """Bring ``command`` to a final state and publish its outcome; None for a duplicate.

        Returns the record ``retrying`` (not final) when a transient failure deferred the next
        attempt, or when the command arrived before its next attempt was due. Raises (leaving the
        command resumable) when MongoDB or Kafka fail.
        """
        admission = await self._d.store.admit(command, at=self._d.clock())
        if admission.duplicate_of is not None:
            log.info("duplicate_command", command_id=command.command_id, duplicate_of=admission.duplicate_of)
            return None
        record = admission.record
        if record.state is CommandState.FAILED:  # died before deciding on the retry: decide now
            record = await self._after_failure(record, Unavailable("resumed after the syncer stopped"))
        while not record.final:
            if not record.due(self._d.clock()):
                log.info("command_deferred", command_id=record.command_id, due=record.next_attempt_at)
                return record
            record, failure = await self._attempt(record)
            if record.state is CommandState.FAILED:
                record = await self._after_failure(record, failure)
        if not record.results_published:
            await self._d.publisher.publish_all(final_messages(record, self._d.clock()))
            record = await self._d.store.save(record.model_copy(update={"results_published": True}))
        return record

    async def _attempt(self, record: CommandRecord) -> tuple[CommandRecord, ConcordError | None]:
        record = await self._save(record.begin_attempt(self._d.clock()))
        log.info("attempt_started", command_id=record.command_id, attempt=record.attempt)
        try:
            record = await self._apply(record)
        except Stale as stale:
            return await self._end(record, CommandState.REJECTED, "rejected_stale", str(stale)), None
        except (InvalidInput, FieldNotWritable) as invalid:
            return await self._end(record, CommandState.FAILED, "rejected_invalid", str(invalid)), invalid
        except PlatformError as error:
            message = f"{error}: {error.details}" if error.details else str(error)
            return await self._end(record, CommandState.FAILED, "failed", message), error
        return await self._end(record, CommandState.APPLIED, "applied"), None

    async def _end(
        self, record: CommandRecord, state: CommandState, outcome: AttemptOutcome, error: str | None = None
    ) -> CommandRecord:
        """Close the attempt on the latest saved record (``_apply`` may have saved several revisions)."""
        latest = await self._d.store.get(record.command_id) or record
        ended = latest.end_attempt(state, outcome, self._d.clock(), error)
        log.info("attempt_ended", command_id=record.command_id, outcome=outcome, error=error)
        return await self._save(ended)

    async def _apply(self, record: CommandRecord) -> CommandRecord:
        command = record.command
        undone = await self._undone(command)
        refs = [seen.ref for seen in command.seen] + [image.ref for image in undone]
        refs += [w.ref for w in record.writes or () if w.ref is not None]
        current = await self._d.platforms.read(list({r.key: r for r in refs}.values()), command.entity_type)
        if record.writes is None:
            related = await self._related(command, current)
            record = await self._plan(record, PlanInputs(self._d.policy, current, undone, related))
        by_key = {snapshot.ref.key: snapshot for snapshot in current}
        for write in record.writes or ():
            if write.done_at is None:
                record = await self._reconcile(record, write, by_key)
        return record

    async def _plan(self, record: CommandRecord, inputs: PlanInputs) -> CommandRecord:
        plan = plan_command(record.command, inputs)
        if plan.stale:
            raise Stale(plan.explain())
        if not plan.executable:
            raise InvalidInput(plan.explain())
        writes = tuple(
            AuditedWrite(
                write_id=wid, provenance_tag=provenance_tag_for(wid), planned=planned, ref=planned.ref
            )
            for index, planned in enumerate(plan.writes)
            for wid in [write_id_for(record.command_id, index)]
        )
        rules = tuple(sorted({rule for w in plan.writes for rule in w.policy_rules}))
        update = {"writes": writes, "side_effects": plan.side_effects, "policy_rules": rules}
        return await self._save(record.model_copy(update=update))

    async def _reconcile(
        self, record: CommandRecord, write: AuditedWrite, current: dict[str, AnySnapshot]
    ) -> CommandRecord:
        planned = write.planned
        if planned.operation == "create":
            if write.sent_at is not None:
                raise InvalidInput(
                    "a create was sent before a crash and its outcome is unknown: check the target"
                )
            return await self._write(record, write)
        now = current.get(write.ref.key) if write.ref else None
        if now is None:
            raise Stale(f"{planned.ref.key if planned.ref else '?'} no longer exists")
        if shows(_image(now, planned.fields), planned.expected):
            log.info("write_found_done", command_id=record.command_id, ref=now.ref.key)
            done = write.model_copy(update={"done_at": self._d.clock(), "after": _image(now, planned.fields),
                                            "resulting_version": now.source_version})  # fmt: skip
            return await self._save(record.with_write(done, self._d.clock()))
        if now.source_version != planned.base_version or not shows(
            _image(now, planned.fields), planned.before
        ):
            raise Stale(f"{now.ref.key} changed since the command was planned")
        return await self._write(record, write)

    async def _write(self, record: CommandRecord, write: AuditedWrite) -> CommandRecord:
        planned, at = write.planned, self._d.clock()
        if write.ref is not None:
            await self._d.write_log.record_expected_write(self._expected(record, write, write.ref, at))
        if planned.operation == "create":
            record = await self._save(record.with_write(write.model_copy(update={"sent_at": at}), at))
        references = _resolve(planned.references, record.writes or ())
        written = await self._d.platforms.write(planned, tag=write.provenance_tag, references=references)
        if self._d.pause_after_write:
            await self._d.sleep(self._d.pause_after_write)  # tests only: a window to kill the process in
        if write.ref is None:
            await self._d.write_log.record_expected_write(self._expected(record, write, written.ref, at))
        done = write.model_copy(
            update={"done_at": self._d.clock(), "ref": written.ref, "after": written.after,
                    "resulting_version": written.version, "sent_at": write.sent_at or at}
        )  # fmt: skip
        record = await self._save(record.with_write(done, self._d.clock()))
        await self._d.write_log.confirm_write(write.write_id, resulting_version=written.version)
        log.info("record_written", command_id=record.command_id, ref=written.ref.key, fields=planned.fields)
        return record

    def _expected(
        self, record: CommandRecord, write: AuditedWrite, ref: ExternalRef, at: datetime
    ) -> ExpectedWrite:
        # Logged down to the whole second: NetSuite and Shopify stamp modification times in seconds, and
        # the checker takes a record updated before ``written_at`` for a state that predates the write.
        return ExpectedWrite(
            write_id=write.write_id, command_id=record.command_id, ref=ref, entity_id=record.command.entity_id,
            expected=write.planned.expected, provenance_tag=write.provenance_tag,
            written_at=at.replace(microsecond=0),
        )  # fmt: skip

    async def _related(self, command: SyncCommand, current: list[AnySnapshot]) -> list[RelatedRecord]:
        action = command.action
        if self._d.related is None or not isinstance(action, CreateMissing):
            return []
        source = next((s for s in current if s.ref.system is action.source and not s.deleted), None)
        if source is None or not isinstance(source.values, Order):
            return []
        return await self._d.related.related(source.values, action.source, action.target)

    async def _undone(self, command: SyncCommand) -> list[UndoImage]:
        if not isinstance(command.action, UndoCommand):
            return []
        earlier = await self._d.store.get(command.action.of_command_id)
        if earlier is None or earlier.state is not CommandState.APPLIED:
            raise InvalidInput(f"command {command.action.of_command_id} was not applied: nothing to undo")
        return [image for w in earlier.writes or () if (image := w.undo_image()) is not None]

    async def _after_failure(self, record: CommandRecord, failure: ConcordError | None) -> CommandRecord:
        transient = isinstance(failure, RateLimited | Unavailable)
        retry_after = failure.retry_after if isinstance(failure, RateLimited) else None
        decision = after_failure(
            record.attempt, transient=transient, retry_after=retry_after, policy=self._d.retry
        )
        if not decision.retry:
            log.warning("command_dead", command_id=record.command_id, error=record.last_error)
            return await self._save(record.moved(CommandState.DEAD, self._d.clock()))
        await self._d.publisher.publish(sync_result(record, self._d.clock()))
        log.info("command_retrying", command_id=record.command_id, delay=decision.delay)
        now = self._d.clock()
        return await self._save(record.retry_at(now + timedelta(seconds=decision.delay), now))

    async def _save(self, record: CommandRecord) -> CommandRecord:
        return await self._d.store.save(record)


def _resolve(
    references: tuple[Reference, ...], writes: tuple[AuditedWrite, ...]
) -> tuple[tuple[Reference, ExternalRef], ...]:
    """Each reference with its record: the existing one, or the one an earlier write of the plan created."""
    resolved: list[tuple[Reference, ExternalRef]] = []
    for reference in references:
        ref = reference.ref
        if ref is None and reference.write_index is not None and reference.write_index < len(writes):
            ref = writes[reference.write_index].ref
        if ref is None:
            raise InvalidInput(f"the {reference.role} a create depends on was not created first")
        resolved.append((reference, ref))
    return tuple(resolved)


def _image(snapshot: AnySnapshot, fields: tuple[str, ...]) -> dict[str, str | None]:
    return image_of(snapshot.values, frozenset(fields))


__all__ = ["CommandRunner", "Stale", "SyncerDeps", "WriteRecorder"]
