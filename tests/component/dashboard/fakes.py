"""In-memory ports of the dashboard, and a runtime built on them."""

import asyncio
import threading
from collections.abc import Sequence
from datetime import datetime

from services.dashboard.ports import DashboardPorts
from services.dashboard.runtime import Runtime, build_runtime
from services.dashboard.settings import DashboardSettings
from shared.adapters.mongo.dashboard import EntityRecords
from shared.core.dashboard.annotations import EntityAnnotations
from shared.core.dashboard.inbox import InboxCheckpoint, InboxOverview, InboxRow, row_of
from shared.core.discrepancy import Discrepancy
from shared.core.model import EntityId, System
from shared.core.ports import PollCursor
from shared.core.sync import CommandRecord
from shared.core.testing import RecordingPublisher
from shared.core.verification import PulseSweep


class FakeReader:
    def __init__(self, entities: Sequence[EntityRecords]) -> None:
        self.entities = {e.entity_id: e for e in entities}
        self.pulse_sweep: PulseSweep | None = None

    async def open_discrepancies(self) -> list[Discrepancy]:
        return [d for e in self.entities.values() for d in e.discrepancies if d.is_open]

    async def open_inbox_rows(self) -> list[InboxRow]:
        return [row_of(d) for d in await self.open_discrepancies()]

    async def discrepancy(self, lifecycle_id: str) -> Discrepancy | None:
        return next((d for d in await self.open_discrepancies() if d.id == lifecycle_id), None)

    async def entity(self, entity_id: EntityId) -> EntityRecords:
        return self.entities.get(entity_id, EntityRecords(entity_id=entity_id))

    async def command(self, command_id: str) -> CommandRecord | None:
        return None

    async def recent_failures(self, limit: int = 20) -> list[CommandRecord]:
        return []

    async def poll_cursors(self) -> list[PollCursor]:
        return []

    async def newest_observations(self, systems: Sequence[System]) -> dict[System, datetime | None]:
        return dict.fromkeys(systems)

    async def last_pulse_sweep(self) -> PulseSweep | None:
        return self.pulse_sweep


class FakeAnnotations:
    def __init__(self) -> None:
        self.saved: dict[str, EntityAnnotations] = {}
        self.priorities: dict[tuple[str, str], float | None] = {}

    async def load(self, entity_id: EntityId) -> EntityAnnotations:
        return self.saved.get(entity_id, EntityAnnotations(entity_id=entity_id))

    async def load_all(self) -> dict[str, EntityAnnotations]:
        return dict(self.saved)

    async def save(self, annotations: EntityAnnotations) -> EntityAnnotations:
        saved = annotations.model_copy(update={"revision": annotations.revision + 1})
        self.saved[annotations.entity_id] = saved
        return saved

    async def raise_priority(self, entity_id: EntityId, dimension: str, priority: float | None) -> None:
        self.priorities[(entity_id, dimension)] = priority

    async def raised_pairs(self) -> set[tuple[str, str]]:
        return {pair for pair, priority in self.priorities.items() if priority is not None}


class FakeCheckpoints:
    def __init__(self, saved: InboxCheckpoint | None = None, *, fail: bool = False) -> None:
        self.saved = saved
        self.saves: list[InboxCheckpoint] = []
        self.fail = fail
        self.rows_readable = threading.Event()
        """Set: ``load`` answers (cleared: decoding 100,000 rows that takes seconds)."""
        self.rows_readable.set()

    async def save(self, checkpoint: InboxCheckpoint, *, now: datetime) -> None:
        self.saves.append(checkpoint)
        self.saved = checkpoint

    async def load(self) -> InboxCheckpoint | None:
        if self.fail:
            raise ConnectionError("mongo is away")
        await asyncio.to_thread(self.rows_readable.wait, 10)
        return self.saved

    async def load_overview(self) -> InboxOverview | None:
        if self.fail:
            raise ConnectionError("mongo is away")
        return None if self.saved is None else self.saved.overview


def fake_runtime(
    entities: Sequence[EntityRecords], checkpoints: FakeCheckpoints | None = None
) -> tuple[Runtime, RecordingPublisher, FakeAnnotations]:
    publisher, annotations = RecordingPublisher(), FakeAnnotations()
    ports = DashboardPorts(
        reader=FakeReader(entities), annotations=annotations, publisher=publisher, checkpoints=checkpoints
    )
    return build_runtime(DashboardSettings(), ports), publisher, annotations
