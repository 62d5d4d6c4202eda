"""The dashboard's pages and use cases on in-memory ports (no Kafka, no MongoDB)."""

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.dashboard.auth import SignedIn
from services.dashboard.ports import DashboardPorts
from services.dashboard.runtime import Runtime, build_runtime
from services.dashboard.settings import DashboardSettings
from shared.adapters.mongo.dashboard import EntityRecords
from shared.core.dashboard.access import AccessDenied, Role
from shared.core.dashboard.inbox import (
    InboxCheckpoint,
    InboxFilter,
    InboxRow,
    match_inbox,
    overview_of,
    row_of,
)
from shared.core.errors import InvalidInput
from shared.core.events import OneDirectionSync, RefreshRequested, SyncCommand
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityId, EntityType, System
from shared.core.repositories import Link
from shared.core.testing import RecordingPublisher
from tests.component.dashboard.fakes import FakeAnnotations, FakeCheckpoints, FakeReader, fake_runtime
from tests.unit.core.dashboard.builders import NOW, discrepancy, ref, snapshot

APP = Path(__file__).resolve().parents[3] / "services" / "dashboard" / "app.py"
OPERATOR, VIEWER = SignedIn("olivia", Role.OPERATOR), SignedIn("victor", Role.VIEWER)
ACTION = OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",))


def _entity(n: int, **options: object) -> EntityRecords:
    found = discrepancy(n, **options)  # type: ignore[arg-type]
    links = tuple(
        Link(ref=ref(system, f"{system.value[0]}{n}"), entity_id=found.entity_id, entity_type=EntityType.CUSTOMER,
             confidence=1.0, method="matched", linked_at=NOW)
        for system in (System.HUBSPOT, System.NETSUITE)
    )  # fmt: skip
    snapshots = (
        snapshot(System.HUBSPOT, f"h{n}", f"c{n}@acme.example"),
        snapshot(System.NETSUITE, f"n{n}", f"old{n}@acme.example"),
    )
    return EntityRecords(entity_id=found.entity_id, links=links, snapshots=snapshots, discrepancies=(found,))


@pytest.fixture
def world() -> Iterator[tuple[Runtime, RecordingPublisher, FakeAnnotations]]:
    now = datetime.now(UTC)  # the inbox buckets ages against the wall clock
    entities = [
        _entity(1, opened=now - timedelta(hours=2)),
        _entity(2, kind=DiscrepancyKind.SOFT_DRIFT, opened=now - timedelta(days=10)),
        _entity(3, kind=DiscrepancyKind.MISSING, opened=now - timedelta(hours=1)),
    ]
    built = fake_runtime(entities)
    yield built
    built[0].close()


def _app(runtime: Runtime, user: SignedIn, **state: object) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["concord.runtime"] = runtime
    at.session_state["concord.user"] = user
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_starting_server_shows_its_checkpoints_overview_and_a_filter_answers_from_the_rows() -> None:
    now = datetime.now(UTC)
    entities = [_entity(1, opened=now - timedelta(hours=2)), _entity(3, kind=DiscrepancyKind.MISSING)]
    rows = tuple(row_of(d) for e in entities for d in e.discrepancies)
    found = match_inbox(rows, InboxFilter(), now=now)
    overview = overview_of(found, dimensions={"customer_contact"}, opened_by_day_and_kind={}, as_of=now)
    checkpoints = FakeCheckpoints(InboxCheckpoint(rows=rows, as_of=now, overview=overview))
    checkpoints.rows_readable.clear()  # decoding the checkpoint's rows takes seconds
    runtime, _, _ = fake_runtime(entities, checkpoints)
    try:
        at = _app(runtime, OPERATOR)
        assert at.dataframe[0].value["entity"].tolist() == ["ent_1", "ent_3"]
        assert "checkpoint" in at.caption[0].value
        checkpoints.rows_readable.set()
        at.multiselect(key="filter_kinds").set_value(["missing"]).run()
        assert at.dataframe[0].value["entity"].tolist() == ["ent_3"]
        assert "loaded in" in at.caption[0].value
    finally:
        runtime.close()


class SlowReader(FakeReader):
    """A first scan that lasts until the test says (about a minute for 100,000 rows on FerretDB)."""

    def __init__(self, entities: list[EntityRecords]) -> None:
        super().__init__(entities)
        self.release = threading.Event()

    async def open_inbox_rows(self) -> list[InboxRow]:
        await asyncio.to_thread(self.release.wait, 30)
        return await super().open_inbox_rows()


def test_a_long_first_load_is_reported_without_holding_the_page_and_the_inbox_follows() -> None:
    reader = SlowReader([_entity(1)])
    ports = DashboardPorts(reader=reader, annotations=FakeAnnotations(), publisher=RecordingPublisher())
    runtime = build_runtime(DashboardSettings(inbox_wait_seconds=0.2), ports)
    try:
        at = _app(runtime, OPERATOR)
        assert "Loading the open discrepancies" in at.info[0].value
        assert not at.dataframe
        at.sidebar.radio(key="nav").set_value("Health").run()  # navigation works meanwhile
        assert not at.exception
        reader.release.set()
        deadline = time.monotonic() + 10
        while runtime.inbox.loading_since() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        at.sidebar.radio(key="nav").set_value("Inbox").run()
        assert at.dataframe[0].value["entity"].tolist() == ["ent_1"]
    finally:
        reader.release.set()
        runtime.close()


def test_the_inbox_is_live_by_default_and_renders_the_same_when_switched_off(
    world: tuple[Runtime, RecordingPublisher, FakeAnnotations],
) -> None:
    at = _app(world[0], OPERATOR)
    assert at.toggle(key="inbox_live").value is True
    live = at.dataframe[0].value["entity"].tolist()
    at.toggle(key="inbox_live").set_value(False).run()
    assert not at.exception
    assert at.dataframe[0].value["entity"].tolist() == live == ["ent_1", "ent_3", "ent_2"]


def test_the_inbox_filters_by_kind_age_and_platform(
    world: tuple[Runtime, RecordingPublisher, FakeAnnotations],
) -> None:
    at = _app(world[0], OPERATOR)
    assert at.dataframe[0].value["kind"].tolist() == ["hard_conflict", "missing", "soft_drift"]
    at.multiselect(key="filter_ages").set_value(["> 7 d"]).run()
    assert at.dataframe[0].value["entity"].tolist() == ["ent_2"]
    at.multiselect(key="filter_ages").set_value([]).run()
    at.multiselect(key="filter_platforms").set_value(["shopify"]).run()
    assert at.dataframe[0].value.empty


def test_opening_an_entity_from_the_inbox_shows_its_values(
    world: tuple[Runtime, RecordingPublisher, FakeAnnotations],
) -> None:
    at = _app(world[0], OPERATOR)
    at.selectbox(key="inbox_open_entity").set_value("ent_3 · customer_contact · missing")
    at.button(key="inbox_open").click().run()
    assert at.header[0].value == "Entity" and at.session_state["concord.entity_id"] == "ent_3"
    assert any(":red[**email**]" in m.value for m in at.markdown)


def test_an_operator_approval_publishes_one_command_in_their_name(
    world: tuple[Runtime, RecordingPublisher, FakeAnnotations],
) -> None:
    runtime, publisher, _ = world
    at = _app(runtime, OPERATOR, **{"concord.entity_id": "ent_1", "nav": "Entity"})
    at.radio(key="action_choice").set_value("Sync one direction").run()
    at.button(key="preview").click().run()
    at.button(key="approve").click().run()
    commands = [m for m in publisher.published if isinstance(m, SyncCommand)]
    assert [(c.approved_by, c.entity_id, c.action) for c in commands] == [("olivia", "ent_1", ACTION)]


def test_a_viewer_is_refused_by_the_publishing_function_itself(
    world: tuple[Runtime, RecordingPublisher, FakeAnnotations],
) -> None:
    runtime, publisher, _ = world
    records = runtime.portal.call(runtime.service.ports.reader.entity("ent_1"))  # type: ignore[arg-type]
    command, plan = runtime.service.preview(records.discrepancies[0], ACTION, list(records.snapshots), VIEWER)
    assert plan.executable
    with pytest.raises(AccessDenied):
        runtime.portal.call(runtime.service.approve(VIEWER, command))
    with pytest.raises(AccessDenied):
        runtime.portal.call(runtime.service.request_recheck(VIEWER, command.entity_id, None))
    assert publisher.published == []


def test_a_command_built_for_someone_else_or_an_old_revision_is_refused(
    world: tuple[Runtime, RecordingPublisher, FakeAnnotations],
) -> None:
    runtime, publisher, _ = world
    records = runtime.portal.call(runtime.service.ports.reader.entity("ent_1"))  # type: ignore[arg-type]
    command, _ = runtime.service.preview(records.discrepancies[0], ACTION, list(records.snapshots), OPERATOR)
    with pytest.raises(InvalidInput, match="names olivia"):
        runtime.portal.call(runtime.service.approve(SignedIn("ann", Role.ADMIN), command))
    with pytest.raises(InvalidInput, match="changed since you looked"):
        runtime.portal.call(
            runtime.service.approve(OPERATOR, command.model_copy(update={"discrepancy_revision": 9}))
        )
    assert publisher.published == []


def test_recheck_and_priority_go_where_ingest_and_the_pulse_scheduler_read_them(
    world: tuple[Runtime, RecordingPublisher, FakeAnnotations],
) -> None:
    runtime, publisher, annotations = world
    at = _app(runtime, OPERATOR, **{"concord.entity_id": "ent_1", "nav": "Entity"})
    at.button(key="recheck").click().run()
    at.button(key="raise_priority").click().run()
    [request] = publisher.published
    assert isinstance(request, RefreshRequested)
    assert (request.requested_by, request.reason, {r.key for r in request.refs}) == (
        "olivia", "operator", {"hubspot:customer:h1", "netsuite:customer:n1"}
    )  # fmt: skip
    assert annotations.priorities == {("ent_1", "customer_contact"): 100.0}


def test_snoozing_needs_a_reason_and_hides_the_discrepancy(
    world: tuple[Runtime, RecordingPublisher, FakeAnnotations],
) -> None:
    runtime, _, annotations = world
    at = _app(runtime, OPERATOR, **{"concord.entity_id": "ent_1", "nav": "Entity"})
    at.button(key="snooze").click().run()
    assert [e.value for e in at.error] == ["give a reason to ignore or snooze"]
    at.text_input(key="hold_reason").input("customer on holiday")
    at.button(key="snooze").click().run()
    assert annotations.saved["ent_1"].holds["customer_contact"].reason == "customer on holiday"
    at.sidebar.radio(key="nav").set_value("Inbox").run()
    assert "ent_1" not in at.dataframe[0].value["entity"].tolist()


def test_a_merged_entity_says_where_its_records_went_and_opens_the_survivor() -> None:
    survivor = _entity(4)
    merged = EntityRecords(
        entity_id=EntityId("ent_merged"),
        discrepancies=(discrepancy(5).model_copy(update={"entity_id": EntityId("ent_merged")}),),
        merged_into=survivor.entity_id,
    )
    runtime, _, _ = fake_runtime([survivor, merged])
    try:
        at = _app(runtime, OPERATOR, **{"concord.entity_id": "ent_merged", "nav": "Entity"})
        assert at.info[0].value.startswith("ent_merged was merged into ent_4")

        at.button(key="entity_open_survivor").click().run()

        assert at.session_state["concord.entity_id"] == "ent_4"
        assert at.text_input(key="entity_id_input").value == "ent_4"
        assert not at.info
    finally:
        runtime.close()
