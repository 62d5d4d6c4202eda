"""The in-memory inbox: loaded early, an operator's own change shown without waiting for the scan."""

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from services.dashboard.inbox_cache import InboxCache
from services.dashboard.portal import Portal
from services.dashboard.ports import DashboardPorts
from shared.adapters.mongo.dashboard import EntityRecords
from shared.core.dashboard.annotations import EntityAnnotations, HeldDimension
from shared.core.dashboard.inbox import (
    InboxCheckpoint,
    InboxFilter,
    InboxRow,
    match_inbox,
    overview_of,
    row_of,
)
from shared.core.model import EntityId
from shared.core.testing import RecordingPublisher
from tests.component.dashboard.fakes import FakeAnnotations, FakeCheckpoints, FakeReader
from tests.unit.core.dashboard.builders import discrepancy


class CountingReader(FakeReader):
    """Counts the scans (each one is the 100,000-row read in production)."""

    def __init__(self, entities: list[EntityRecords]) -> None:
        super().__init__(entities)
        self.scans = 0

    async def open_inbox_rows(self) -> list[InboxRow]:
        self.scans += 1
        return await super().open_inbox_rows()


@pytest.fixture
def portal() -> Iterator[Portal]:
    running = Portal()
    yield running
    running.close()


def _cache(portal: Portal) -> tuple[InboxCache, CountingReader, FakeAnnotations]:
    found = discrepancy(1)
    reader = CountingReader([EntityRecords(entity_id=found.entity_id, discrepancies=(found,))])
    annotations = FakeAnnotations()
    ports = DashboardPorts(reader=reader, annotations=annotations, publisher=RecordingPublisher())
    return InboxCache(ports, portal, refresh_seconds=3600), reader, annotations


def test_warm_starts_the_first_load_so_the_first_render_finds_it(portal: Portal) -> None:
    cache, reader, _ = _cache(portal)
    cache.warm()
    cache.warm()  # a second warm while loading starts nothing more
    snapshot = cache.current()
    assert [row.entity_id for row in snapshot.rows] == [discrepancy(1).entity_id]
    assert reader.scans == 1


def test_an_operators_change_shows_at_once_and_the_rows_reload_in_the_background(portal: Portal) -> None:
    cache, reader, annotations = _cache(portal)
    before = cache.current()
    found = discrepancy(1)
    entity = found.entity_id
    assigned = {found.dimension: "olivia"}
    portal.call(annotations.save(EntityAnnotations(entity_id=entity, assignments=assigned)))

    cache.invalidate()
    after = cache.current()

    assert after.annotations[entity].assignments == assigned
    assert after.rows is before.rows and after.loaded_at == before.loaded_at
    deadline = time.monotonic() + 10
    while reader.scans < 2 and time.monotonic() < deadline:  # the reload the render started
        time.sleep(0.01)
    assert reader.scans == 2


class HeldReader(CountingReader):
    """A scan that waits until the test lets it finish (the 50 s scan of 100,000 rows)."""

    def __init__(self, entities: list[EntityRecords]) -> None:
        super().__init__(entities)
        self.release = threading.Event()
        self.started = 0

    async def open_inbox_rows(self) -> list[InboxRow]:
        self.started += 1
        await asyncio.to_thread(self.release.wait, 10)
        return await super().open_inbox_rows()


def _checkpointed(
    portal: Portal, checkpoints: FakeCheckpoints, annotations: FakeAnnotations | None = None, **options: float
) -> tuple[InboxCache, HeldReader]:
    found = discrepancy(2)
    reader = HeldReader([EntityRecords(entity_id=found.entity_id, discrepancies=(found,))])
    ports = DashboardPorts(
        reader=reader, annotations=annotations or FakeAnnotations(), publisher=RecordingPublisher(),
        checkpoints=checkpoints,
    )  # fmt: skip
    return InboxCache(ports, portal, refresh_seconds=3600, **options), reader


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert condition()


def test_a_starting_server_renders_the_checkpoint_while_its_scan_runs_then_the_scan(portal: Portal) -> None:
    saved_at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    old = InboxCheckpoint(rows=(row_of(discrepancy(1)),), as_of=saved_at)
    checkpoints = FakeCheckpoints(old)
    cache, reader = _checkpointed(portal, checkpoints)

    cache.warm()
    first = cache.current(timeout=5)

    assert [row.entity_id for row in first.rows] == [discrepancy(1).entity_id]
    assert first.loaded_at == saved_at  # the page says how old these rows are
    _wait_for(lambda: reader.started == 1)  # started without waiting for a render
    reader.release.set()
    _wait_for(lambda: cache.current().rows != first.rows)
    assert [row.entity_id for row in cache.current().rows] == [discrepancy(2).entity_id]
    _wait_for(lambda: len(checkpoints.saves) == 1)
    assert checkpoints.saves[0].rows == cache.current().rows
    assert checkpoints.saves[0].as_of <= cache.current().loaded_at
    overview = checkpoints.saves[0].overview  # the default view, ready for the next server's first render
    assert overview is not None and [e.row for e in overview.entries] == list(cache.current().rows)


def test_until_the_checkpoints_rows_are_in_the_default_view_is_its_overview_under_todays_annotations(
    portal: Portal,
) -> None:
    rows = (row_of(discrepancy(1)), row_of(discrepancy(3)))
    saved_at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    found = match_inbox(rows, InboxFilter(), now=saved_at)
    overview = overview_of(found, dimensions={"customer_contact"}, opened_by_day_and_kind={}, as_of=saved_at)
    checkpoints = FakeCheckpoints(InboxCheckpoint(rows=rows, as_of=saved_at, overview=overview))
    checkpoints.rows_readable.clear()
    annotations = FakeAnnotations()
    cache, reader = _checkpointed(portal, checkpoints, annotations=annotations)
    held = HeldDimension(
        hold="snoozed", by="olivia", at=saved_at, reason="later", until=datetime(2099, 1, 1, tzinfo=UTC)
    )
    portal.call(
        annotations.save(EntityAnnotations(entity_id=EntityId("ent_3")).held("customer_contact", held))
    )

    cache.warm()
    early = cache.overview(timeout=5)

    assert early is not None and [e.row.entity_id for e in early.entries] == ["ent_1"]  # ent_3 snoozed since
    checkpoints.rows_readable.set()
    _wait_for(lambda: cache.overview() is None)  # the rows are in: every view answers from them
    assert [row.entity_id for row in cache.current().rows] == ["ent_1", "ent_3"]
    reader.release.set()


def test_without_a_checkpoint_the_first_render_waits_for_the_scan_and_saves_it_once_a_minute(
    portal: Portal,
) -> None:
    checkpoints = FakeCheckpoints()
    cache, reader = _checkpointed(portal, checkpoints, checkpoint_seconds=60)
    reader.release.set()

    cache.warm()
    first = cache.current()
    assert [row.entity_id for row in first.rows] == [discrepancy(2).entity_id]
    _wait_for(lambda: len(checkpoints.saves) == 1)
    cache.invalidate()  # marks the rows outdated: the next render reloads them
    cache.current()
    # The second scan is in place once its rows are newer; a save it were due would be submitted by then.
    _wait_for(lambda: cache.current().loaded_at > first.loaded_at)
    time.sleep(0.1)
    assert reader.scans == 2
    assert len(checkpoints.saves) == 1  # the second scan came within the minute


def test_an_unreadable_checkpoint_store_falls_back_to_the_scan(portal: Portal) -> None:
    cache, reader = _checkpointed(portal, FakeCheckpoints(fail=True))
    reader.release.set()
    assert [row.entity_id for row in cache.current().rows] == [discrepancy(2).entity_id]
    assert reader.scans == 1
