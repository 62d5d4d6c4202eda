"""In-memory implementations of the ports in ``shared.core.ports``; same contract, no I/O."""

from collections.abc import Collection
from datetime import datetime, timedelta

from shared.core.events import AnyMessage
from shared.core.ports import PollCursor


class FakeCursorStore:
    def __init__(self) -> None:
        self.cursors: dict[str, PollCursor] = {}

    async def load(self, key: str) -> PollCursor | None:
        return self.cursors.get(key)

    async def save(self, cursor: PollCursor) -> None:
        self.cursors[cursor.key] = cursor


class FakeLeaseStore:
    def __init__(self) -> None:
        self.leases: dict[str, tuple[str, datetime]] = {}

    async def acquire(self, name: str, holder: str, *, ttl: timedelta, now: datetime) -> bool:
        current = self.leases.get(name)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self.leases[name] = (holder, now + ttl)
        return True

    async def release(self, name: str, holder: str) -> None:
        if name in self.leases and self.leases[name][0] == holder:
            del self.leases[name]


class FakeProcessedLedger:
    def __init__(self) -> None:
        self.recorded: dict[tuple[str, str], datetime] = {}

    async def already_processed(self, consumer: str, message_ids: Collection[str]) -> frozenset[str]:
        return frozenset(m for m in message_ids if (consumer, m) in self.recorded)

    async def mark_processed(self, consumer: str, message_ids: Collection[str], *, at: datetime) -> None:
        for message_id in message_ids:
            self.recorded.setdefault((consumer, message_id), at)


class RecordingPublisher:
    """Keeps what was published; ``fail_with`` makes every publish raise (a broker outage)."""

    def __init__(self) -> None:
        self.published: list[AnyMessage] = []
        self.fail_with: Exception | None = None

    async def publish(self, message: AnyMessage) -> None:
        await self.publish_all([message])

    async def publish_all(self, messages: list[AnyMessage]) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.published.extend(messages)
