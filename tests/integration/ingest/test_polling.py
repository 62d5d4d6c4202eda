"""Pollers against the sandbox's real HTTP APIs, cursors and leases in the MongoDB-protocol server,
observations on real Kafka: a killed poller misses nothing and republishes nothing it should not;
two replicas never poll one cursor at once; a dead replica's cursors are taken over."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.database import Database

from services.ingest.observations import PRODUCER
from services.ingest.polling import CycleReport, PollConfig, Poller, PollTarget
from services.ingest.settings import PollingSettings
from shared.adapters.budget import Priority, UnlimitedBudget
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.mongo import MongoCursorStore, MongoLeaseStore
from shared.adapters.platforms.base import ChangeCursor, ChangePage, PlatformConnector
from shared.adapters.platforms.hubspot import HubSpotConnector
from shared.adapters.platforms.netsuite import NetSuiteConnector
from shared.adapters.platforms.shopify import ShopifyConnector
from shared.adapters.settings import ServiceSettings
from shared.core.events import AnyMessage, RecordObserved, topic_for
from shared.core.model import EntityType, Surface, System
from tests.support.ingest import ingest_settings, serve_ingest
from tests.support.sandbox import RunningSandbox, free_port, serve_sandbox
from tests.support.topics import read_messages

OVERLAP = timedelta(seconds=1)


@dataclass(frozen=True)
class Platform:
    system: System
    object_type: str
    body: dict[str, object]


PLATFORMS = [
    pytest.param(Platform(System.SHOPIFY, "customers", {"email": "p@acme.example"}), id="shopify"),
    pytest.param(Platform(System.NETSUITE, "customer", {"companyName": "P Ltd"}), id="netsuite"),
    pytest.param(
        Platform(System.HUBSPOT, "contacts", {"properties": {"email": "p@acme.example"}}), id="hubspot"
    ),
]


@pytest.fixture
def fresh_sandbox(mongo_uri: str) -> Iterator[RunningSandbox]:
    with serve_sandbox(mongo_uri, hubspot_search_per_second=100) as running:  # pacing is not under test
        yield running


@pytest.fixture
async def mongo_database(mongo_uri: str, unique: str) -> AsyncIterator[object]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield client[f"test_polling_{unique}"]
    await client.drop_database(f"test_polling_{unique}")
    await client.close()


@pytest.fixture
async def kafka_publisher(kafka_bootstrap: str, topic_prefix: str) -> AsyncIterator[KafkaMessagePublisher]:
    prefix = topic_prefix.rstrip(".")
    await ensure_topics(kafka_bootstrap, prefix, partitions=3)
    broker = build_broker(ServiceSettings(kafka_bootstrap=kafka_bootstrap, service_name="test-poller"))
    await broker.connect()
    yield KafkaMessagePublisher(broker, prefix=prefix)
    await broker.stop()


def connector_for(system: System, sandbox: RunningSandbox, http: httpx.AsyncClient) -> PlatformConnector:
    if system is System.SHOPIFY:
        return ShopifyConnector(sandbox.shopify(page_size=2), http, UnlimitedBudget())
    if system is System.NETSUITE:
        return NetSuiteConnector(sandbox.netsuite(page_size=2), http, UnlimitedBudget())
    return HubSpotConnector(sandbox.hubspot(search_page_size=2), http, UnlimitedBudget())


@dataclass
class AckedLog:
    """Publishes through Kafka; keeps what Kafka acknowledged, per call. ``hang_after`` calls, it hangs."""

    inner: KafkaMessagePublisher
    hang_after: int | None = None
    calls: list[list[AnyMessage]] = field(default_factory=list)
    hanging: asyncio.Event = field(default_factory=asyncio.Event)

    async def publish(self, message: AnyMessage) -> None:
        await self.publish_all([message])

    async def publish_all(self, messages: list[AnyMessage]) -> None:
        if self.hang_after is not None and len(self.calls) >= self.hang_after:
            self.hanging.set()
            await asyncio.Event().wait()  # killed here, mid-cycle, before the page is acknowledged
        await self.inner.publish_all(messages)
        self.calls.append(messages)

    @property
    def observed(self) -> list[RecordObserved]:
        return [m for call in self.calls for m in call if isinstance(m, RecordObserved)]


async def create(
    http: httpx.AsyncClient, sandbox: RunningSandbox, platform: Platform, count: int
) -> set[str]:
    keys = set()
    for _ in range(count):
        url = f"{sandbox.base_url}/_admin/records/{platform.system.value}/{platform.object_type}"
        response = await http.post(url, json={"record": platform.body, "emit": False})
        response.raise_for_status()
        keys.add(f"{platform.system.value}:{platform.object_type}:{response.json()['id']}")
    return keys


def poller(
    target: PollTarget,
    connector: PlatformConnector,
    *,
    database: object,
    publisher: object,
    holder: str,
    ttl: float,
) -> Poller:
    return Poller(
        target,
        connector,
        cursors=MongoCursorStore(database),  # type: ignore[arg-type]
        leases=MongoLeaseStore(database),  # type: ignore[arg-type]
        publisher=publisher,  # type: ignore[arg-type]
        holder=holder,
        config=PollConfig(
            overlap=OVERLAP, initial_lookback=timedelta(hours=1), lease_ttl=timedelta(seconds=ttl)
        ),
        clock=lambda: datetime.now(UTC),
    )


async def cycle_when_lease_free(poller_: Poller, within: float = 10.0) -> CycleReport:
    """Cycle as soon as the lease (held by a killed replica) lapses."""
    async with asyncio.timeout(within):
        # The lease lives in MongoDB: there is nothing to wait on but time.
        while (report := await poller_.cycle()) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    return report


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_poller_killed_mid_cycle_and_restarted_misses_no_change_and_republishes_only_the_overlap(
    platform: Platform,
    fresh_sandbox: RunningSandbox,
    mongo_database: object,
    kafka_publisher: KafkaMessagePublisher,
    kafka_bootstrap: str,
) -> None:
    target = PollTarget(platform.system, f"acct-{uuid.uuid4().hex[:6]}", EntityType.CUSTOMER)
    async with httpx.AsyncClient() as http:
        connector = connector_for(platform.system, fresh_sandbox, http)
        old = await create(http, fresh_sandbox, platform, 3)
        first = AckedLog(kafka_publisher)
        await poller(
            target, connector, database=mongo_database, publisher=first, holder="replica-a", ttl=1.0
        ).cycle()
        await asyncio.sleep(OVERLAP.total_seconds() + 1.2)  # the new records are beyond the overlap window
        new = await create(http, fresh_sandbox, platform, 5)

        killed = AckedLog(kafka_publisher, hang_after=1)
        task = asyncio.create_task(
            poller(
                target, connector, database=mongo_database, publisher=killed, holder="replica-a", ttl=1.0
            ).cycle()
        )
        await asyncio.wait_for(killed.hanging.wait(), 10)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        position = (await MongoCursorStore(mongo_database).load(target.key)).position  # type: ignore[arg-type, union-attr]
        restarted = AckedLog(kafka_publisher)
        await cycle_when_lease_free(
            poller(
                target, connector, database=mongo_database, publisher=restarted, holder="replica-b", ttl=1.0
            )
        )
        steady = AckedLog(kafka_publisher)
        await cycle_when_lease_free(
            poller(target, connector, database=mongo_database, publisher=steady, holder="replica-b", ttl=1.0)
        )

    assert {m.ref.key for m in first.observed} == old
    killed_keys = {m.ref.key for m in killed.observed}
    restarted_keys = {m.ref.key for m in restarted.observed}
    assert new <= killed_keys | restarted_keys  # no change missed
    assert not killed_keys & restarted_keys  # acknowledged pages are not read again
    assert all(m.source_updated_at >= position - OVERLAP for m in restarted.observed)  # type: ignore[operator]
    # The old records are outside the window now, and the new ones, inside it, are unchanged.
    assert steady.observed == []
    on_topic = await read_messages(
        kafka_bootstrap,
        topic_for("record_observed", kafka_publisher._prefix),
        until=lambda got: new <= {m.ref.key for m in got if isinstance(m, RecordObserved)},
    )
    assert all(m.producer == PRODUCER for m in on_topic)


@dataclass
class ConcurrencyProbe:
    """A connector wrapper counting changed_since calls in flight across replicas, per caller."""

    inner: PlatformConnector
    in_flight: int = 0
    most_in_flight: int = 0
    calls: list[tuple[str, float]] = field(default_factory=list)

    def for_replica(self, name: str) -> PlatformConnector:
        probe = self

        class Labelled:
            system = probe.inner.system

            async def changed_since(
                self,
                entity_type: EntityType,
                cursor: ChangeCursor,
                *,
                priority: Priority = Priority.BACKGROUND,
            ) -> ChangePage:
                probe.in_flight += 1
                probe.most_in_flight = max(probe.most_in_flight, probe.in_flight)
                probe.calls.append((name, asyncio.get_running_loop().time()))
                try:
                    await asyncio.sleep(0.05)
                    return await probe.inner.changed_since(entity_type, cursor, priority=priority)
                finally:
                    probe.in_flight -= 1

        return Labelled()  # type: ignore[return-value]


async def keep_polling(poller_: Poller) -> None:
    while True:
        with contextlib.suppress(Exception):
            await poller_.cycle()
        await asyncio.sleep(0.05)


async def test_two_replicas_never_poll_one_cursor_at_once_and_a_dead_ones_cursor_is_taken_over(
    fresh_sandbox: RunningSandbox, mongo_database: object, kafka_publisher: KafkaMessagePublisher
) -> None:
    platform = Platform(System.SHOPIFY, "customers", {"email": "lease@acme.example"})
    target = PollTarget(System.SHOPIFY, f"acct-{uuid.uuid4().hex[:6]}", EntityType.CUSTOMER)
    async with httpx.AsyncClient() as http:
        await create(http, fresh_sandbox, platform, 5)  # three pages per cycle
        probe = ConcurrencyProbe(connector_for(System.SHOPIFY, fresh_sandbox, http))
        replicas = {
            name: asyncio.create_task(
                keep_polling(
                    poller(
                        target,
                        probe.for_replica(name),
                        database=mongo_database,
                        publisher=kafka_publisher,
                        holder=name,
                        ttl=1.5,
                    )
                )
            )
            for name in ("replica-a", "replica-b")
        }
        await asyncio.sleep(2.0)
        first_holder = probe.calls[0][0]
        replicas[first_holder].cancel()  # dies holding the lease: never released
        died_at = asyncio.get_running_loop().time()
        await asyncio.sleep(5.0)  # the lease lapses within two TTLs of its last renewal
        for task in replicas.values():
            task.cancel()
        await asyncio.gather(*replicas.values(), return_exceptions=True)

    before = {name for name, at in probe.calls if at < died_at}
    after = {name for name, at in probe.calls if at > died_at + 0.2}
    assert probe.most_in_flight == 1
    assert before == {first_holder}
    assert after == {"replica-a", "replica-b"} - {first_holder}


async def test_the_running_service_polls_its_configured_platforms(
    fresh_sandbox: RunningSandbox,
    kafka_bootstrap: str,
    mongo_uri: str,
    mongo_db: Database[dict[str, object]],
    unique: str,
) -> None:
    settings = ingest_settings(
        kafka_bootstrap=kafka_bootstrap,
        mongo_uri=mongo_uri,
        database=mongo_db.name,
        prefix=f"test.polled.{unique}",
        port=free_port(),
        shopify=fresh_sandbox.shopify(),
        polling=PollingSettings(shopify_interval_seconds=0.5, overlap_seconds=1.0),
    )
    async with httpx.AsyncClient() as http:
        (key,) = await create(
            http, fresh_sandbox, Platform(System.SHOPIFY, "customers", {"email": "quiet@acme.example"}), 1
        )
    async with serve_ingest(settings):
        messages = await read_messages(
            kafka_bootstrap,
            topic_for("record_observed", settings.topic_prefix),
            until=lambda got: any(isinstance(m, RecordObserved) and m.ref.key == key for m in got),
        )

    polled = [m for m in messages if isinstance(m, RecordObserved) and m.ref.key == key]
    assert polled
    assert {m.surface for m in polled} == {Surface.POLL}
