"""What the dashboard's pages need, as protocols, so component tests can hand in fakes."""

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shared.adapters.mongo.dashboard import EntityRecords
from shared.core.dashboard.annotations import EntityAnnotations
from shared.core.dashboard.inbox import InboxCheckpoint, InboxOverview, InboxRow
from shared.core.discrepancy import Discrepancy
from shared.core.events import AnyMessage
from shared.core.model import EntityId, System
from shared.core.ports import PollCursor
from shared.core.sync import CommandRecord
from shared.core.verification import PulseSweep


class Reader(Protocol):
    async def open_discrepancies(self) -> list[Discrepancy]: ...
    async def open_inbox_rows(self) -> list[InboxRow]: ...
    async def discrepancy(self, lifecycle_id: str) -> Discrepancy | None: ...
    async def entity(self, entity_id: EntityId) -> EntityRecords: ...
    async def command(self, command_id: str) -> CommandRecord | None: ...
    async def recent_failures(self, limit: int = 20) -> list[CommandRecord]: ...
    async def poll_cursors(self) -> list[PollCursor]: ...
    async def newest_observations(self, systems: Sequence[System]) -> dict[System, datetime | None]: ...
    async def last_pulse_sweep(self) -> PulseSweep | None: ...


class Annotations(Protocol):
    async def load(self, entity_id: EntityId) -> EntityAnnotations: ...
    async def load_all(self) -> dict[str, EntityAnnotations]: ...
    async def save(self, annotations: EntityAnnotations) -> EntityAnnotations: ...
    async def raise_priority(self, entity_id: EntityId, dimension: str, priority: float | None) -> None: ...
    async def raised_pairs(self) -> set[tuple[str, str]]: ...


class InboxCheckpoints(Protocol):
    async def save(self, checkpoint: InboxCheckpoint, *, now: datetime) -> None: ...
    async def load(self) -> InboxCheckpoint | None: ...
    async def load_overview(self) -> InboxOverview | None: ...


class Publisher(Protocol):
    async def publish(self, message: AnyMessage) -> None:
        """Return once the broker acknowledged ``message`` (acks=all)."""


@dataclass(frozen=True)
class Lag:
    """How far one consumer group is behind on one partition."""

    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        return max(0, self.end - self.committed)


@dataclass(frozen=True)
class DeadLetters:
    topic: str
    count: int
    latest: tuple[str, ...]
    """The newest messages' error headers (or bodies), newest first."""


class KafkaHealth(Protocol):
    async def lags(self) -> list[Lag]: ...
    async def dead_letters(self) -> list[DeadLetters]: ...


@dataclass(frozen=True)
class DashboardPorts:
    reader: Reader
    annotations: Annotations
    publisher: Publisher
    kafka: KafkaHealth | None = None
    checkpoints: InboxCheckpoints | None = None
    """Where the scanned inbox is kept for the next server start (none: every start waits for a scan)."""
    close: Callable[[], Coroutine[object, object, None]] | None = None
    """Releases the clients (the server never calls it; tests do)."""


__all__ = [
    "Annotations",
    "DashboardPorts",
    "DeadLetters",
    "InboxCheckpoints",
    "KafkaHealth",
    "Lag",
    "Publisher",
    "Reader",
]
