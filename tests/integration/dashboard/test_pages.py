"""AppTest tests of every page against real FerretDB and Kafka, seeded by the checker's own stages."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo.asynchronous.database import AsyncDatabase
from streamlit.testing.v1 import AppTest

from services.dashboard.auth import SignedIn
from services.dashboard.runtime import Runtime
from services.dashboard.settings import DashboardSettings
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.dashboard import DashboardReader
from shared.adapters.mongo.pulse_sweeps import MongoPulseSweepLog
from shared.core.dashboard.access import Role
from shared.core.events import AnyMessage, SyncCommand, dead_letter_topic, parse_message, topic_for
from shared.core.model import System
from shared.core.verification import PulseSweep
from tests.integration.dashboard.conftest import PASSWORDS
from tests.integration.dashboard.seeding import SEEDED_AT, email_conflict, run_checker

APP = Path(__file__).resolve().parents[3] / "services" / "dashboard" / "app.py"


def app(runtime: Runtime, user: SignedIn | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["concord.runtime"] = runtime
    if user is not None:
        at.session_state["concord.user"] = user
    return at


def frame_with(at: AppTest, column: str) -> "pd.DataFrame":
    """The first table or grid showing ``column`` (AppTest does not expose a dataframe's key)."""
    for frame in [*at.dataframe, *at.table]:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


async def seed(database: AsyncDatabase[Document], entities: int = 2) -> list[str]:
    for n in range(entities):
        await run_checker(database, email_conflict(n), SEEDED_AT)
    found = await DashboardReader(database).open_discrepancies()
    assert found, "the checker opened discrepancies"
    return sorted({d.entity_id for d in found})


async def read_all(kafka: str, topic: str, seconds: float = 5.0) -> list[AnyMessage]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: list[AnyMessage] = []
    try:
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            found += [parse_message(r.value or b"") for batch in batches.values() for r in batch]
    finally:
        await consumer.stop()
    return found


async def test_signing_in_with_a_configured_password_shows_the_inbox(
    runtime: Runtime, database: AsyncDatabase[Document]
) -> None:
    await seed(database, 1)
    at = app(runtime)
    at.run()
    at.text_input(key="signin_username").input("olivia")
    at.text_input(key="signin_password").input(PASSWORDS["olivia"])
    at.button(key="signin_submit").click().run()
    assert not at.exception
    assert at.header[0].value == "Inbox"
    assert any("Signed in as **olivia** (operator)" in m.value for m in at.sidebar.markdown)


async def test_a_wrong_password_is_refused(runtime: Runtime) -> None:
    at = app(runtime)
    at.run()
    at.text_input(key="signin_username").input("olivia")
    at.text_input(key="signin_password").input("not-it")
    at.button(key="signin_submit").click().run()
    assert [e.value for e in at.error] == ["Unknown user or wrong password."]
    assert "concord.user" not in at.session_state


async def test_the_inbox_counts_filters_and_searches_open_discrepancies(
    runtime: Runtime, database: AsyncDatabase[Document]
) -> None:
    await seed(database, 2)
    at = app(runtime, SignedIn("olivia", Role.OPERATOR))
    at.run()
    assert not at.exception
    assert at.metric[0].value == "2"
    assert len(at.dataframe[0].value) == 2
    at.multiselect(key="filter_kinds").set_value(["soft_drift"]).run()
    assert len(at.dataframe[0].value) == 0
    at.multiselect(key="filter_kinds").set_value([]).run()
    at.text_input(key="filter_search").input("old1@acme.example").run()
    table = at.dataframe[0].value
    assert len(table) == 1
    assert (table["dimension"].tolist(), table["fields"].tolist()) == (["customer_contact"], ["email"])


async def test_the_entity_view_shows_each_platforms_value_and_its_freshness(
    runtime: Runtime, database: AsyncDatabase[Document]
) -> None:
    entity_id = (await seed(database, 1))[0]
    at = app(runtime, SignedIn("olivia", Role.OPERATOR))
    at.session_state["concord.entity_id"] = entity_id
    at.session_state["nav"] = "Entity"
    at.run()
    assert not at.exception
    values = frame_with(at, "differs")
    email = values[values["field"] == "email"].iloc[0]
    assert (email["hubspot"], email["netsuite"], email["differs"]) == (
        "c0@acme.example",
        "old0@acme.example",
        "≠",
    )
    evidence = frame_with(at, "surface")
    assert set(evidence["system"]) == {"hubspot", "shopify", "netsuite"}
    assert all(text.endswith(" ago") for text in evidence["observed"])
    assert evidence[evidence["system"] == "hubspot"]["owner"].tolist() == [True]


def _preview_sync(at: AppTest, entity_id: str) -> AppTest:
    at.session_state["concord.entity_id"] = entity_id
    at.session_state["nav"] = "Entity"
    at.run()
    at.radio(key="action_choice").set_value("Sync one direction").run()
    at.button(key="preview").click().run()
    writes = frame_with(at, "will be")
    assert writes[["platform", "field", "will be"]].values.tolist() == [
        ["netsuite", "email", "c0@acme.example"]
    ]
    return at


async def test_approving_publishes_exactly_one_sync_command_with_the_approvers_identity(
    runtime: Runtime, database: AsyncDatabase[Document], settings: DashboardSettings
) -> None:
    entity_id = (await seed(database, 1))[0]
    at = _preview_sync(app(runtime, SignedIn("olivia", Role.OPERATOR)), entity_id)
    at.button(key="approve").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    commands = await read_all(settings.kafka_bootstrap, topic_for("sync_command", settings.topic_prefix))
    assert len(commands) == 1
    command = commands[0]
    assert isinstance(command, SyncCommand)
    assert (command.approved_by, command.entity_id, command.action.kind) == (
        "olivia",
        entity_id,
        "one_direction",
    )
    assert {seen.ref.system.value: seen.values for seen in command.seen} == {
        "hubspot": {"email": "c0@acme.example"}, "netsuite": {"email": "old0@acme.example"}
    }  # fmt: skip
    assert any("Approved" in s.value for s in at.success)


async def test_a_viewer_is_refused_and_nothing_is_published(
    runtime: Runtime, database: AsyncDatabase[Document], settings: DashboardSettings
) -> None:
    entity_id = (await seed(database, 1))[0]
    at = _preview_sync(app(runtime, SignedIn("victor", Role.VIEWER)), entity_id)
    at.button(key="approve").click().run()
    assert [e.value for e in at.error] == ["Refused: victor (viewer) may not approve"]
    assert (
        await read_all(settings.kafka_bootstrap, topic_for("sync_command", settings.topic_prefix), 2.0) == []
    )


async def test_assigning_to_me_puts_the_discrepancy_in_my_inbox(
    runtime: Runtime, database: AsyncDatabase[Document]
) -> None:
    entity_id = (await seed(database, 2))[0]
    at = app(runtime, SignedIn("olivia", Role.OPERATOR))
    at.session_state["concord.entity_id"] = entity_id
    at.session_state["nav"] = "Entity"
    at.run()
    at.button(key="assign").click().run()
    assert not at.error, [e.value for e in at.error]
    at.sidebar.radio(key="nav").set_value("Inbox").run()
    at.checkbox(key="filter_mine").check().run()
    assert at.dataframe[0].value["entity"].tolist() == [entity_id]


async def test_the_health_page_shows_freshness_lag_and_failures(
    runtime: Runtime, database: AsyncDatabase[Document], settings: DashboardSettings
) -> None:
    await seed(database, 1)
    commands = topic_for("sync_command", settings.topic_prefix)
    await _lagging_group(settings.kafka_bootstrap, commands, group="syncer-behind", produced=3, committed=1)
    await _dead_letter(
        settings.kafka_bootstrap, dead_letter_topic(commands), reason="precondition unreadable"
    )
    sweep = PulseSweep(
        swept_at=datetime.now(UTC), holder="checker-1", due=40, requested=25, backlog=15, unlinked=2,
        spent={System.SHOPIFY: 25},
    )  # fmt: skip
    await MongoPulseSweepLog(database).record(sweep)  # as the checker's pulse lease holder does
    at = app(runtime, SignedIn("victor", Role.VIEWER))
    at.session_state["nav"] = "Health"
    at.run()
    assert not at.exception
    freshness = frame_with(at, "newest observation")
    assert set(freshness["platform"]) == {"hubspot", "shopify", "netsuite"}
    assert all(text.endswith(" ago") for text in freshness["newest observation"])
    assert not at.error, [e.value for e in at.error]
    pulse = {m.label: m.value for m in at.metric}
    assert (pulse["Due pairs (last sweep)"], pulse["Pulse backlog (due, left for later sweeps)"]) == (
        "40",
        "15",
    )
    assert any("by checker-1" in c.value and "shopify 25" in c.value for c in at.caption)
    assert "Refresh requests not yet served" in pulse
    lag = frame_with(at, "lag")
    assert lag[lag["group"] == "syncer-behind"][["topic", "partition", "lag"]].values.tolist() == [
        [commands, 0, 2]
    ]
    assert any(dead_letter_topic(commands) in m.value and "1 message" in m.value for m in at.markdown), [
        m.value for m in at.markdown
    ]
    assert any(c.value == "test: precondition unreadable" for c in at.caption), [c.value for c in at.caption]


async def _lagging_group(kafka: str, topic: str, *, group: str, produced: int, committed: int) -> None:
    """``produced`` messages on ``topic``, of which ``group`` committed the first ``committed``."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    await producer.start()
    try:
        for n in range(produced):
            await producer.send_and_wait(topic, f"m{n}".encode(), partition=0)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.commit({TopicPartition(topic, 0): committed})
    finally:
        await consumer.stop()


async def _dead_letter(kafka: str, topic: str, *, reason: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    await producer.start()
    try:
        headers = [("dlq-origin", b"test"), ("dlq-reason", reason.encode())]
        await producer.send_and_wait(topic, b"{}", partition=0, headers=headers)
    finally:
        await producer.stop()
