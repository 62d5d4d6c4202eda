"""Acceptance (issue 6): an out-of-band sandbox edit that emits no event is found by a pulse within its
configured cadence, and the finding says no event reported it — across Kafka, every service running.

The sandbox (real HTTP, signed webhooks to ingest), ingest (webhook intake, hydration, the refresh
consumer) and the checker app (link, evaluate, pulse) run on real Kafka and FerretDB, on a topic
prefix and databases of their own. The checker's policy is the shipped one with every pulse cadence
set to :data:`CADENCE_SECONDS`.
"""

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from pymongo import AsyncMongoClient, MongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.checker.app import build_app
from services.checker.pulse import PulseSettings
from services.checker.settings import CheckerSettings
from shared.adapters.kafka import ensure_topics
from shared.core.events import (
    AnyMessage,
    DiscrepancyOpened,
    EntityChanged,
    RecordObserved,
    RefreshRequested,
    topic_for,
)
from shared.core.model import Surface, System
from tests.integration.checker.topic_reader import TopicReader
from tests.support.ingest import RunningIngest, ingest_settings, serve_ingest
from tests.support.sandbox import RunningSandbox, free_port, serve_sandbox
from tests.support.webhooks import HUBSPOT_SECRET, NETSUITE_SECRET, SHOPIFY_SECRET

CADENCE_SECONDS = 8
SWEEP_SECONDS = 1.0
SLACK_SECONDS = 3.0
"""A sweep's own duration and the hops to ingest on a loaded 2-CPU machine."""
Document = dict[str, object]
T = TypeVar("T")


@pytest.fixture
def prefix() -> str:
    return f"test.drift.{uuid.uuid4().hex[:10]}"


@pytest.fixture
def ingest_port() -> int:
    return free_port()


@pytest.fixture
def sandbox(mongo_uri: str, ingest_port: int) -> Iterator[RunningSandbox]:
    with serve_sandbox(
        mongo_uri, hubspot_client_secret=HUBSPOT_SECRET, shopify_api_secret=SHOPIFY_SECRET,
        netsuite_callout_secret=NETSUITE_SECRET, webhook_target_url=f"http://127.0.0.1:{ingest_port}",
    ) as running:  # fmt: skip
        yield running


@pytest.fixture
def databases(mongo_uri: str) -> Iterator[tuple[str, str]]:
    names = (f"test_drift_ingest_{uuid.uuid4().hex[:10]}", f"test_drift_checker_{uuid.uuid4().hex[:10]}")
    yield names
    with MongoClient[Document](mongo_uri) as client:
        for name in names:
            client.drop_database(name)


@pytest.fixture
async def ingest(  # noqa: PLR0917 - pytest injects fixtures by name
    kafka_bootstrap: str, mongo_uri: str, databases: tuple[str, str], prefix: str, ingest_port: int,
    sandbox: RunningSandbox,
) -> AsyncIterator[RunningIngest]:  # fmt: skip
    settings = ingest_settings(
        kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, database=databases[0], prefix=prefix,
        port=ingest_port, hubspot=sandbox.hubspot(), shopify=sandbox.shopify(), netsuite=sandbox.netsuite(),
    )  # fmt: skip
    async with serve_ingest(settings) as running:
        yield running


def short_cadence_policy(path: Path) -> Path:
    """The shipped policy with every pulse cadence set to :data:`CADENCE_SECONDS`."""
    source = resources.files("shared.core.policy").joinpath("default.toml").read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"pulse_cadence_seconds = \d+", f"pulse_cadence_seconds = {CADENCE_SECONDS}", source),
        encoding="utf-8",
    )
    return path


def checker_settings(
    kafka_bootstrap: str, mongo_uri: str, database: str, prefix: str, policy: Path
) -> CheckerSettings:
    pulse = PulseSettings(
        sweep_interval_seconds=SWEEP_SECONDS, lease_ttl_seconds=10, answer_timeout_seconds=2,
        requests_per_sweep={System.HUBSPOT: 20, System.SHOPIFY: 20, System.NETSUITE: 20},
    )  # fmt: skip
    return CheckerSettings(
        kafka_bootstrap=kafka_bootstrap, mongodb_uri=mongo_uri, mongodb_database=database,  # type: ignore[arg-type]
        topic_prefix=prefix, group_id=f"checker-{uuid.uuid4().hex[:8]}", policy_path=policy, pulse=pulse,
        batch_timeout_ms=50, topic_partitions=3,
    )  # fmt: skip


async def _admin(http: httpx.AsyncClient, sandbox: RunningSandbox, path: str, body: Document) -> Document:
    response = await http.post(f"{sandbox.base_url}/_admin/{path}", json=body)
    assert response.is_success, response.text
    answer: Document = response.json()
    return answer


async def _create_customer(http: httpx.AsyncClient, sandbox: RunningSandbox) -> tuple[str, str]:
    """One customer in HubSpot and Shopify, delivered to ingest by their webhooks (an emitted edit)."""
    person = {"email": "drift.e2e@acme.example", "phone": "+16135550100"}
    contact = await _admin(http, sandbox, "records/hubspot/contacts", {"record": {"properties": {
        "email": person["email"], "firstname": "Ada", "phone": person["phone"]}}})  # fmt: skip
    customer = await _admin(http, sandbox, "records/shopify/customers", {"record": {
        "email": person["email"], "first_name": "Ada", "phone": person["phone"]}})  # fmt: skip
    for system, object_type, record_id, changes in (
        ("hubspot", "contacts", contact["id"], {"properties": {"lastname": "Lovelace"}}),
        ("shopify", "customers", customer["id"], {"last_name": "Lovelace"}),
    ):
        edit = {
            "system": system,
            "object_type": object_type,
            "id": str(record_id),
            "changes": changes,
            "emit": True,
        }
        await _admin(http, sandbox, "edit", edit)
    return (
        f"hubspot:contacts:{contact['id']}",
        f"shopify:customers:{customer['id']}",
    )  # ids as the APIs name them


async def _verified(database: AsyncDatabase[Document], refs: tuple[str, str]) -> str:
    """The entity both records link to, once its contact dimension has been verified."""
    async with asyncio.timeout(90):
        while True:  # poll with a deadline: MongoDB holds the checker's only signal
            links = [await database["links"].find_one({"_id": key}) for key in refs]
            entity_ids = {str(link["entity_id"]) for link in links if link is not None}
            if len(entity_ids) == 1 and all(links):
                (entity_id,) = entity_ids
                state = await database["check_state"].find_one({"_id": f"{entity_id}|customer_contact"})
                if state is not None and state.get("last_verified_at") is not None:
                    return entity_id
            await asyncio.sleep(0.3)


def _passive_change(entity_id: str) -> Callable[[list[AnyMessage]], list[EntityChanged]]:
    def select(messages: list[AnyMessage]) -> list[EntityChanged]:
        return [
            m for m in messages if isinstance(m, EntityChanged) and m.entity_id == entity_id and m.passive
        ]

    return select


async def test_out_of_band_edit_is_reported_as_passive_drift_through_every_service(  # noqa: PLR0917
    kafka_bootstrap: str, mongo_uri: str, databases: tuple[str, str], prefix: str, sandbox: RunningSandbox,
    ingest: RunningIngest, tmp_path: Path,
) -> None:  # fmt: skip
    settings = checker_settings(
        kafka_bootstrap, mongo_uri, databases[1], prefix, short_cadence_policy(tmp_path / "policy.toml")
    )
    await ensure_topics(kafka_bootstrap, prefix, partitions=3)
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, tz_aware=True, tzinfo=UTC)
    database = client[settings.mongodb_database]
    readers = {
        name: TopicReader(kafka_bootstrap, topic_for(name, prefix))
        for name in ("entity_changed", "discrepancy_opened", "record_observed", "refresh_requested")
    }
    try:
        async with (
            build_app(settings),
            httpx.AsyncClient(timeout=15.0) as http,
            contextlib.AsyncExitStack() as stack,
        ):
            for reader in readers.values():
                await stack.enter_async_context(reader)
            hubspot_key, _ = refs = await _create_customer(http, sandbox)
            entity_id = await _verified(database, refs)
            edited_at = datetime.now(UTC)
            await _admin(http, sandbox, "edit", {
                "system": "hubspot", "object_type": "contacts", "id": hubspot_key.rsplit(":", 1)[1],
                "emit": False, "changes": {"properties": {"email": "ada.changed@acme.example"}}})  # fmt: skip
            passive = await _first(readers["entity_changed"], _passive_change(entity_id), within_seconds=90)
            opened = await _first(
                readers["discrepancy_opened"], _contact_opened(entity_id), within_seconds=60
            )
            answer = await _first(readers["record_observed"], _with_id(passive.cause))
            request = await _first(readers["refresh_requested"], _with_id(answer.causation_id or ""))
            stored = await database["discrepancies"].find_one(
                {"entity_id": entity_id, "dimension": "customer_contact", "status": "open"}
            )
    finally:
        await client.close()

    # The change only a pulse saw, and the event surface that should have reported it.
    assert (passive.surface, passive.missed_surface, passive.changed_fields) == (
        Surface.PULSE, Surface.WEBHOOK, ("email",),
    )  # fmt: skip
    assert isinstance(answer, RecordObserved) and (answer.ref.key, answer.surface) == (
        hubspot_key,
        Surface.PULSE,
    )
    assert isinstance(request, RefreshRequested) and request.reason == "pulse"
    # Asked by the first sweep after the pair came due: within one cadence of the edit.
    assert request.produced_at - edited_at <= timedelta(
        seconds=CADENCE_SECONDS + SWEEP_SECONDS + SLACK_SECONDS
    )
    # The finding says no event reported it, on the topic and as stored.
    assert (opened.finding.fields, opened.finding.passive_drift_surface) == (("email",), Surface.WEBHOOK)
    assert stored is not None
    assert stored["document"]["finding"]["passive_drift_surface"] == "webhook"  # type: ignore[index]


def _contact_opened(entity_id: str) -> Callable[[list[AnyMessage]], list[DiscrepancyOpened]]:
    def select(messages: list[AnyMessage]) -> list[DiscrepancyOpened]:
        return [
            m for m in messages
            if isinstance(m, DiscrepancyOpened) and m.partition_key == entity_id
            and m.finding.dimension == "customer_contact"
        ]  # fmt: skip

    return select


def _with_id(message_id: str) -> Callable[[list[AnyMessage]], list[AnyMessage]]:
    return lambda messages: [m for m in messages if m.message_id == message_id]


async def _first(
    reader: TopicReader, select: Callable[[list[AnyMessage]], list[T]], *, within_seconds: float = 30
) -> T:
    """The first message ``select`` picks from the topic, waiting for it with a deadline."""
    return select(await reader.until(lambda m: bool(select(m)), within_seconds=within_seconds))[0]
