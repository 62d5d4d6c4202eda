"""In-memory fakes of the pulse and echo ports: ``CheckStateStore``, ``CheckPriorities``,
``SyncWriteLog``, linked records.

Same contract as the MongoDB adapters (``tests/contract/test_check_state.py``,
``tests/contract/test_check_priorities.py``, ``tests/contract/test_sync_writes.py`` run against both).
"""

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from shared.core.errors import InvalidInput
from shared.core.model import EntityId, EntityType, ExternalRef
from shared.core.ports import ExpectedWrite
from shared.core.verification import PulseSweep, VerificationState

CadenceOf = Callable[[EntityType, str], timedelta]
"""The pulse cadence of a dimension of an entity type (from the policy)."""

_PairKey = tuple[EntityId, str]


def next_due(
    entity_type: EntityType, state: VerificationState, cadence_of: CadenceOf | None
) -> datetime | None:
    """When a pair comes due for pre-selection: ``None`` (now) if never verified.

    Without cadences every verified pair is a candidate from its verification on (the scheduler
    then filters by due-ness).
    """
    if state.last_verified_at is None:
        return None
    if cadence_of is None:
        return state.last_verified_at
    return state.last_verified_at + cadence_of(entity_type, state.dimension)


class FakeCheckStateStore:
    """``CheckStateStore`` in memory; ``cadence_of`` plays the role of the adapter's due index."""

    def __init__(self, cadence_of: CadenceOf | None = None) -> None:
        self.states: dict[_PairKey, tuple[EntityType, VerificationState]] = {}
        self.requested: dict[_PairKey, tuple[datetime, datetime]] = {}
        self._cadence_of = cadence_of

    async def load(self, entity_id: EntityId, dimension: str) -> VerificationState | None:
        held = self.states.get((entity_id, dimension))
        return None if held is None else held[1]

    async def save_all(self, states: list[tuple[EntityType, VerificationState]]) -> None:
        for entity_type, state in states:  # overrides live in CheckPriorities, not here
            kept = state.with_priority_override(None)
            self.states[(state.entity_id, state.dimension)] = (entity_type, kept)

    async def candidates(self, *, now: datetime, limit: int) -> list[tuple[EntityType, VerificationState]]:
        eligible = [
            (entity_type, state)
            for key, (entity_type, state) in self.states.items()
            if self._due(entity_type, state, now) and not self._requested(key, now)
        ]
        eligible.sort(key=_oldest_first)
        return eligible[: max(0, limit)]

    async def mark_requested(
        self, entity_id: EntityId, dimension: str, *, at: datetime, until: datetime
    ) -> None:
        if (entity_id, dimension) in self.states:
            self.requested[(entity_id, dimension)] = (at, until)

    def _due(self, entity_type: EntityType, state: VerificationState, now: datetime) -> bool:
        due_at = next_due(entity_type, state, self._cadence_of)
        return due_at is None or due_at <= now

    def _requested(self, key: _PairKey, now: datetime) -> bool:
        request = self.requested.get(key)
        return request is not None and request[1] > now


class FakeCheckPriorities:
    """``CheckPriorities`` in memory."""

    def __init__(self) -> None:
        self.priorities: dict[_PairKey, float] = {}

    async def set(self, entity_id: EntityId, dimension: str, priority: float | None) -> None:
        if priority is None:
            self.priorities.pop((entity_id, dimension), None)
            return
        if not priority > 0:
            raise InvalidInput(f"a check priority must be greater than 0, not {priority}")
        self.priorities[(entity_id, dimension)] = float(priority)

    async def raised(self) -> dict[_PairKey, float]:
        return dict(self.priorities)


class FakePulseSweepLog:
    """``PulseSweepLog`` in memory; ``recorded`` keeps every sweep for assertions."""

    def __init__(self) -> None:
        self.recorded: list[PulseSweep] = []

    async def record(self, sweep: PulseSweep) -> None:
        self.recorded.append(sweep)

    async def latest(self) -> PulseSweep | None:
        return self.recorded[-1] if self.recorded else None


def _oldest_first(pair: tuple[EntityType, VerificationState]) -> tuple[bool, datetime | None, str, str]:
    state = pair[1]
    verified = state.last_verified_at
    # Never-verified pairs first, then by age of the verification, ties by id for determinism.
    return (verified is not None, verified, state.entity_id, state.dimension)


class FakeSyncWriteLog:
    """``SyncWriteLog`` in memory, plus the syncer's writer side (``record_expected_write``, ``confirm_write``)."""

    def __init__(self) -> None:
        self.writes: dict[str, ExpectedWrite] = {}
        self.verified_by: dict[str, str] = {}

    async def record_expected_write(self, write: ExpectedWrite) -> bool:
        if write.write_id in self.writes:
            return False
        self.writes[write.write_id] = write
        return True

    async def confirm_write(self, write_id: str, *, resulting_version: str | None) -> None:
        write = self.writes.get(write_id)
        if write is not None and write.resulting_version is None:
            self.writes[write_id] = write.model_copy(update={"resulting_version": resulting_version})

    async def recent_for(self, ref: ExternalRef, *, since: datetime) -> list[ExpectedWrite]:
        found = [w for w in self.writes.values() if w.ref.key == ref.key and w.written_at >= since]
        return sorted(found, key=lambda w: (w.written_at, w.write_id), reverse=True)

    async def recent_for_many(
        self, refs: Collection[ExternalRef], *, since: datetime
    ) -> dict[str, list[ExpectedWrite]]:
        found = {ref.key: await self.recent_for(ref, since=since) for ref in refs}
        return {key: writes for key, writes in found.items() if writes}

    async def mark_verified(self, write_id: str, *, at: datetime, observation_id: str) -> None:
        write = self.writes.get(write_id)
        if write is not None and write.verified_at is None:
            self.writes[write_id] = write.model_copy(update={"verified_at": at})
            self.verified_by[write_id] = observation_id


class FakeLinkedRecords:
    """``repositories.LinkedRecordsReader`` over a plain dict of entity -> linked records."""

    def __init__(self, links: dict[EntityId, tuple[ExternalRef, ...]] | None = None) -> None:
        self.links: dict[EntityId, tuple[ExternalRef, ...]] = dict(links or {})

    async def linked_refs(self, entity_ids: Sequence[EntityId]) -> dict[EntityId, tuple[ExternalRef, ...]]:
        return {entity_id: self.links[entity_id] for entity_id in entity_ids if self.links.get(entity_id)}


__all__ = ["CadenceOf", "FakeCheckStateStore", "FakeLinkedRecords", "FakeSyncWriteLog", "next_due"]
