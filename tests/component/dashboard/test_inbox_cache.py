"""The in-memory inbox: loaded early, an operator's own change shown without waiting for the scan."""

import time
from collections.abc import Iterator

import pytest

from services.dashboard.inbox_cache import InboxCache
from services.dashboard.portal import Portal
from services.dashboard.ports import DashboardPorts
from shared.adapters.mongo.dashboard import EntityRecords
from shared.core.dashboard.annotations import EntityAnnotations
from shared.core.dashboard.inbox import InboxRow
from shared.core.testing import RecordingPublisher
from tests.component.dashboard.fakes import FakeAnnotations, FakeReader
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
