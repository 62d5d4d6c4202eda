"""In-memory platforms and write log for the syncer's component tests, and a clock tests move."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from faststream.kafka import KafkaBroker

from services.syncer.platforms import Written
from shared.core.events import AnyMessage, message_to_json, route
from shared.core.model import EntityType, ExternalRef
from shared.core.ports import ExpectedWrite
from shared.core.sync import PlannedWrite, image_of
from shared.core.sync.model import AnySnapshot


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakePlatforms:
    """Records by ref key; an update replaces the values and bumps the integer version.

    ``failures`` are raised, in order, by the next writes instead of writing.
    """

    def __init__(self, *records: AnySnapshot) -> None:
        self.records = {record.ref.key: record for record in records}
        self.writes: list[tuple[str, str]] = []
        self.failures: list[Exception] = []

    async def read(self, refs: list[ExternalRef], entity_type: EntityType) -> list[AnySnapshot]:
        return [self.records[ref.key] for ref in refs if ref.key in self.records]

    async def write(self, planned: PlannedWrite, *, tag: str, references: object = ()) -> Written:
        if self.failures:
            raise self.failures.pop(0)
        assert planned.ref is not None, "these fakes update records; they do not create them"
        current = self.records[planned.ref.key]
        version = str(int(current.source_version or "0") + 1)
        self.records[planned.ref.key] = current.model_copy(
            update={"values": planned.view, "source_version": version}
        )
        self.writes.append((planned.ref.key, tag))
        return Written(
            ref=planned.ref, after=image_of(planned.view, frozenset(planned.fields)), version=version
        )

    def writes_to(self, ref: ExternalRef) -> int:
        return sum(1 for key, _ in self.writes if key == ref.key)


class FakeWriteRecorder:
    def __init__(self) -> None:
        self.writes: dict[str, ExpectedWrite] = {}

    async def record_expected_write(self, write: ExpectedWrite) -> bool:
        if write.write_id in self.writes:
            return False
        self.writes[write.write_id] = write
        return True

    async def confirm_write(self, write_id: str, *, resulting_version: str | None) -> None:
        write = self.writes[write_id]
        if write.resulting_version is None:
            self.writes[write_id] = write.model_copy(update={"resulting_version": resulting_version})


class BrokerPublisher:
    """Publishes through the (test) broker as ``KafkaMessagePublisher`` does, and keeps what it sent."""

    def __init__(self, broker: KafkaBroker, prefix: str) -> None:
        self._broker = broker
        self._prefix = prefix
        self.published: list[AnyMessage] = []

    async def publish(self, message: AnyMessage) -> None:
        await self.publish_all([message])

    async def publish_all(self, messages: list[AnyMessage]) -> None:
        for message in messages:
            self.published.append(message)
            target = route(message, self._prefix)
            await self._broker.publish(message_to_json(message), target.topic, key=target.key.encode())
