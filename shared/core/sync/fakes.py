"""An in-memory :class:`~shared.core.sync.ports.CommandStore` with the same contract as the MongoDB one.

For unit and component tests; the contract suite in ``tests/integration/syncer`` runs against both.
"""

from datetime import datetime

from shared.core.events import SyncCommand
from shared.core.sync.ports import Admission, ConcurrentUpdate
from shared.core.sync.record import CommandRecord
from shared.core.sync.state import CommandState


class FakeCommandStore:
    """Records by command id, unique by idempotency key; saves are compare-and-set on ``revision``.

    ``saves`` counts successful saves, so a test can see that nothing was written.
    """

    def __init__(self) -> None:
        self.records: dict[str, CommandRecord] = {}
        self.saves = 0

    async def admit(self, command: SyncCommand, *, at: datetime) -> Admission:
        existing = self.records.get(command.command_id)
        if existing is not None:
            return Admission(record=existing, new=False)
        record = CommandRecord(command=command, received_at=at, updated_at=at)
        other = next(
            (r for r in self.records.values() if r.command.idempotency_key == command.idempotency_key), None
        )
        if other is not None:
            return Admission(record=record, new=False, duplicate_of=other.command_id)
        self.records[command.command_id] = record
        return Admission(record=record, new=True)

    async def get(self, command_id: str) -> CommandRecord | None:
        return self.records.get(command_id)

    async def save(self, record: CommandRecord) -> CommandRecord:
        stored = self.records.get(record.command_id)
        if stored is None or stored.revision != record.revision:
            raise ConcurrentUpdate(f"command {record.command_id} changed since revision {record.revision}")
        saved = record.model_copy(update={"revision": record.revision + 1})
        self.records[record.command_id] = saved
        self.saves += 1
        return saved

    async def due_retries(self, now: datetime, *, limit: int) -> list[CommandRecord]:
        due = [
            r
            for r in self.records.values()
            if r.state is CommandState.RETRYING and r.next_attempt_at is not None and r.next_attempt_at <= now
        ]
        return sorted(due, key=lambda r: (r.next_attempt_at or now, r.command_id))[:limit]


__all__ = ["FakeCommandStore"]
