"""The poller over fakes: the lease gates a cycle, the window filters, a stale resume point restarts
the result set, the cursor moves only when a set is read to its end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.ingest.polling import PollConfig, Poller, PollTarget, ResumePoint
from shared.adapters.budget import Priority
from shared.adapters.platforms.base import ChangeCursor, ChangePage
from shared.core.errors import Invalid
from shared.core.model import EntityType, System
from shared.core.platforms import WireRecord
from shared.core.ports import PollCursor
from shared.core.testing import FakeCursorStore, FakeLeaseStore, RecordingPublisher
from tests.component.ingest.fakes import contact

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
TARGET = PollTarget(System.HUBSPOT, "62515", EntityType.CUSTOMER)
CONFIG = PollConfig(
    overlap=timedelta(minutes=2), initial_lookback=timedelta(hours=1), lease_ttl=timedelta(minutes=1)
)


@dataclass
class PagedConnector:
    """Serves ``pages`` in order; refuses each page token in ``refused`` once (an expired token)."""

    pages: list[list[WireRecord]]
    refused: set[str] = field(default_factory=set)
    asked: list[ChangeCursor] = field(default_factory=list)
    system: System = System.HUBSPOT

    async def changed_since(
        self, entity_type: EntityType, cursor: ChangeCursor, *, priority: Priority = Priority.BACKGROUND
    ) -> ChangePage:
        self.asked.append(cursor)
        if cursor.page in self.refused:
            self.refused.discard(cursor.page)  # only the stale token of the earlier run is refused
            raise Invalid("page token expired")
        index = int(cursor.page or "0")
        records = self.pages[index]
        following = (
            ChangeCursor(since=cursor.since, page=str(index + 1)) if index + 1 < len(self.pages) else None
        )
        return ChangePage(
            tuple(records), following, max((r.source_updated_at() for r in records), default=None)
        )


def make(
    connector: PagedConnector,
    cursors: FakeCursorStore,
    leases: FakeLeaseStore,
    publisher: RecordingPublisher,
    holder: str = "a",
) -> Poller:
    return Poller(
        TARGET, connector, cursors=cursors, leases=leases, publisher=publisher,  # type: ignore[arg-type]
        holder=holder, config=CONFIG, clock=lambda: NOW,
    )  # fmt: skip


async def test_a_cycle_publishes_every_page_and_moves_the_cursor_to_the_latest_change() -> None:
    cursors, publisher = FakeCursorStore(), RecordingPublisher()
    connector = PagedConnector(
        [[contact("1", at=NOW - timedelta(minutes=9))], [contact("2", at=NOW - timedelta(minutes=5))]]
    )

    report = await make(connector, cursors, FakeLeaseStore(), publisher).cycle()

    assert report is not None
    assert [m.ref.external_id for m in publisher.published] == ["1", "2"]  # type: ignore[union-attr]
    assert cursors.cursors[TARGET.key].position == NOW - timedelta(minutes=5)
    assert cursors.cursors[TARGET.key].token is None


async def test_records_changed_before_the_overlap_window_are_not_republished() -> None:
    cursors, publisher = FakeCursorStore(), RecordingPublisher()
    position = NOW - timedelta(minutes=10)
    await cursors.save(PollCursor(key=TARGET.key, position=position, updated_at=NOW))
    stale, inside = (
        contact("1", at=position - timedelta(minutes=3)),
        contact("2", at=position - timedelta(minutes=1)),
    )

    await make(PagedConnector([[stale, inside]]), cursors, FakeLeaseStore(), publisher).cycle()

    assert [m.ref.external_id for m in publisher.published] == ["2"]  # type: ignore[union-attr]


async def test_an_unchanged_record_in_the_overlap_is_not_republished_but_a_newer_version_is() -> None:
    cursors, publisher = FakeCursorStore(), RecordingPublisher()
    first, second = contact("1", at=NOW - timedelta(minutes=5)), contact("2", at=NOW - timedelta(minutes=4))
    connector = PagedConnector([[first, second]])
    await make(connector, cursors, FakeLeaseStore(), publisher).cycle()

    connector.pages = [[first, contact("2", email="new@acme.example", at=NOW - timedelta(minutes=1))]]
    await make(connector, cursors, FakeLeaseStore(), publisher).cycle()
    await make(connector, cursors, FakeLeaseStore(), publisher).cycle()

    assert [m.ref.external_id for m in publisher.published] == ["1", "2", "2"]  # type: ignore[union-attr]
    assert cursors.cursors[TARGET.key].published == {"2": NOW - timedelta(minutes=1)}


async def test_a_replica_without_the_lease_skips_the_cycle() -> None:
    leases, publisher = FakeLeaseStore(), RecordingPublisher()
    connector = PagedConnector([[contact("1", at=NOW)]])
    await leases.acquire(f"poll:{TARGET.key}", "other", ttl=timedelta(minutes=1), now=NOW)

    report = await make(connector, FakeCursorStore(), leases, publisher, holder="a").cycle()

    assert report is None
    assert connector.asked == []


async def test_a_refused_resume_point_restarts_the_result_set_from_the_window() -> None:
    cursors, publisher = FakeCursorStore(), RecordingPublisher()
    position = NOW - timedelta(minutes=10)
    resume = ResumePoint(page=ChangeCursor(since=position - CONFIG.overlap, page="1"), high_water=position)
    await cursors.save(
        PollCursor(key=TARGET.key, position=position, token=resume.model_dump_json(), updated_at=NOW)
    )
    connector = PagedConnector(
        [[contact("1", at=NOW - timedelta(minutes=4))], [contact("2", at=NOW)]], refused={"1"}
    )

    await make(connector, cursors, FakeLeaseStore(), publisher).cycle()

    assert [c.page for c in connector.asked] == ["1", None, "1"]
    assert cursors.cursors[TARGET.key].token is None
