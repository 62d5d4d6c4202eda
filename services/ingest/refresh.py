"""Refresh requests: read the requested records now and publish them with the surface the request names.

Pulse checks and sync read-backs ask through ``RefreshRequested``. Every requested record gets an
answer: an observation (id per record and request, so that each refresh counts as a verification
even when nothing changed), or a deletion when the platform no longer has the record. Requests of
one micro-batch share the batch reads of each (platform, entity type).
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from services.ingest.observations import Provenance, delete, observe
from services.ingest.reading import Connectors, Outcome, ReadResult, read_records
from shared.adapters.budget import Priority
from shared.core.errors import InvalidInput
from shared.core.events import RefreshRequested
from shared.core.model import EntityType, ExternalRef, System
from shared.core.platforms import entity_type_for, object_type_for

# Read-backs verify an operator-approved write: they may use the budget's operator reserve.
_OPERATOR_REASONS = frozenset({"sync_readback", "operator"})
_Group = tuple[System, EntityType, Priority]


def _group_of(request: RefreshRequested, ref: ExternalRef) -> _Group:
    """Where ``ref`` is read; raises ``InvalidInput`` for a record type Concord cannot read."""
    entity_type = entity_type_for(ref.system, ref.object_type)
    if object_type_for(ref.system, entity_type) != ref.object_type:
        raise InvalidInput(
            f"{ref.key}: {ref.object_type} records are read as {entity_type} records of another type"
        )
    priority = Priority.OPERATOR if request.reason in _OPERATOR_REASONS else Priority.BACKGROUND
    return ref.system, entity_type, priority


class Refresher:
    """Serves refresh requests from the platforms' read APIs."""

    def __init__(self, connectors: Connectors, *, clock: Callable[[], datetime]) -> None:
        self._connectors = connectors
        self._clock = clock

    async def refresh(self, requests: Sequence[RefreshRequested]) -> Outcome:
        """The answers to ``requests``; raises on transient platform failures (retry the batch).

        A request with a record that cannot be read for good fails as a whole (dead-lettered).
        """
        outcome = Outcome()
        wanted: dict[_Group, set[str]] = {}
        for request in requests:
            try:
                for ref in request.refs:
                    wanted.setdefault(_group_of(request, ref), set()).add(ref.external_id)
            except InvalidInput as error:
                outcome.failed[request.message_id] = str(error)
        results: dict[_Group, ReadResult] = {}
        for group, ids in wanted.items():
            results[group] = await read_records(
                self._connectors, group[0], group[1], sorted(ids), priority=group[2]
            )
        now = self._clock()
        for request in requests:
            if request.message_id not in outcome.failed:
                self._answer(request, results, now, outcome)
        return outcome

    @staticmethod
    def _answer(
        request: RefreshRequested, results: dict[_Group, ReadResult], now: datetime, outcome: Outcome
    ) -> None:
        provenance = Provenance(surface=request.surface, observed_at=now, cause=request)
        answers = []
        for ref in request.refs:
            result = results[_group_of(request, ref)]
            if ref.external_id in result.failed:
                outcome.failed[request.message_id] = result.failed[ref.external_id]
                return
            record = result.found.get(ref.external_id)
            answers.append(
                observe(ref.system, ref.object_type, record, provenance)
                if record is not None
                else delete(ref, now, provenance)
            )
        outcome.messages.extend(answers)
