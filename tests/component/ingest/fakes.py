"""An in-memory platform connector and dead-letter sink for ingest's component tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared.adapters.batches import Rejected
from shared.adapters.budget import Priority
from shared.adapters.platforms.base import ChangeCursor, ChangePage
from shared.core.errors import NotFound
from shared.core.model import EntityType, System
from shared.core.platforms import WireRecord
from shared.core.platforms.hubspot import HubSpotContact


def contact(record_id: str, *, email: str = "a@acme.example", at: datetime | None = None) -> HubSpotContact:
    moment = (at or datetime(2026, 11, 28, 10, tzinfo=UTC)).isoformat()
    return HubSpotContact.model_validate(
        {"id": record_id, "properties": {"email": email, "lastname": "Full"}, "updatedAt": moment}
    )


@dataclass
class FakeConnector:
    """Holds records by id; ``poison`` ids make any read that includes them raise that error;
    ``outage`` makes every call raise it (a transient failure)."""

    system: System = System.HUBSPOT
    records: dict[str, WireRecord] = field(default_factory=dict)
    poison: dict[str, Exception] = field(default_factory=dict)
    outage: Exception | None = None
    batch_reads: list[list[str]] = field(default_factory=list)

    async def read(
        self, entity_type: EntityType, external_id: str, *, priority: Priority = Priority.BACKGROUND
    ) -> WireRecord:
        self._check([external_id])
        if external_id not in self.records:
            raise NotFound(external_id)
        return self.records[external_id]

    async def read_many(
        self,
        entity_type: EntityType,
        external_ids: Sequence[str],
        *,
        priority: Priority = Priority.BACKGROUND,
    ) -> list[WireRecord]:
        self.batch_reads.append(list(external_ids))
        self._check(external_ids)
        return [self.records[i] for i in external_ids if i in self.records]

    async def changed_since(
        self, entity_type: EntityType, cursor: ChangeCursor, *, priority: Priority = Priority.BACKGROUND
    ) -> ChangePage:
        self._check([])
        return ChangePage((), None, None)

    def _check(self, ids: Sequence[str]) -> None:
        if self.outage is not None:
            raise self.outage
        for record_id in ids:
            if record_id in self.poison:
                raise self.poison[record_id]


@dataclass
class RecordingDeadLetters:
    letters: list[Rejected] = field(default_factory=list)

    async def send(self, letters: Sequence[Rejected]) -> None:
        self.letters.extend(letters)
