"""The pulse scheduler on real MongoDB (state, links, lease) and real Kafka (refresh requests)."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.checker.pulse import PulseScheduler, PulseSettings, cadence_from
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.mongo import MongoLeaseStore
from shared.adapters.mongo.check_state import MongoCheckStateStore
from shared.adapters.settings import ServiceSettings
from shared.core.events import RefreshRequested, parse_message, topic_for
from shared.core.model import EntityId, EntityType, ExternalRef, Surface, System
from shared.core.policy import default_policy
from shared.core.testing.pulse_fakes import FakeLinkedRecords
from shared.core.verification import VerificationOutcome, VerificationState

POLICY = default_policy()
Document = dict[str, object]


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Rig:
    database: AsyncDatabase[Document]
    publisher: KafkaMessagePublisher
    prefix: str
    bootstrap: str
    links: FakeLinkedRecords
    clock: Clock

    def scheduler(self, holder: str, allowance: dict[System, int]) -> PulseScheduler:
        return PulseScheduler(
            states=MongoCheckStateStore(self.database, cadence_of=cadence_from(POLICY)),
            links=self.links,
            publisher=self.publisher,
            leases=MongoLeaseStore(self.database),
            policy=POLICY,
            settings=PulseSettings(lease_ttl_seconds=30, answer_timeout_seconds=120),
            allowance=allowance,
            holder=holder,
            clock=self.clock,
        )

    async def received(self, count: int) -> list[RefreshRequested]:
        topic = topic_for("refresh_requested", self.prefix)
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=self.bootstrap, auto_offset_reset="earliest")
        await consumer.start()
        found: list[RefreshRequested] = []
        try:
            async with asyncio.timeout(20):
                while len(found) < count:
                    for records in (await consumer.getmany(timeout_ms=300)).values():
                        found.extend(
                            m
                            for r in records
                            if isinstance(m := parse_message(r.value or b""), RefreshRequested)
                        )
            extra = await consumer.getmany(timeout_ms=1000)  # nothing beyond the expected arrives
            for records in extra.values():
                found.extend(
                    m for r in records if isinstance(m := parse_message(r.value or b""), RefreshRequested)
                )
        finally:
            await consumer.stop()
        return found


@pytest.fixture
async def rig(kafka_bootstrap: str, mongo_uri: str, topic_prefix: str, unique: str) -> AsyncIterator[Rig]:
    prefix = topic_prefix.rstrip(".")
    await ensure_topics(kafka_bootstrap, prefix, partitions=3)
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, tz_aware=True, tzinfo=UTC)
    database = client[f"test_{unique}"]
    await MongoCheckStateStore(database).ensure_indexes()
    broker = build_broker(ServiceSettings(kafka_bootstrap=kafka_bootstrap, service_name="test-pulse"))
    async with broker:
        await broker.connect()
        yield Rig(
            database,
            KafkaMessagePublisher(broker, prefix=prefix),
            prefix,
            kafka_bootstrap,
            FakeLinkedRecords(),
            Clock(),
        )
    await client.drop_database(database.name)
    await client.close()


async def seed(rig: Rig, n: int, dimension: str, system: System, verified: datetime | None) -> None:
    object_type = {System.HUBSPOT: "contacts", System.SHOPIFY: "customers", System.NETSUITE: "customer"}[
        system
    ]
    entity = EntityId(f"ent_{n:04d}")
    state = VerificationState(
        entity_id=entity, dimension=dimension, last_verified_at=verified,
        outcome=VerificationOutcome.CONSISTENT if verified else VerificationOutcome.UNKNOWN,
    )  # fmt: skip
    await MongoCheckStateStore(rig.database).save_all([(EntityType.CUSTOMER, state)])
    rig.links.links[entity] = (ExternalRef(system=system, object_type=object_type, external_id=str(n)),)


async def test_only_the_lease_holder_publishes_due_requests_within_the_allowance(rig: Rig) -> None:
    now = rig.clock.now
    for n in range(6):  # due: never verified
        await seed(rig, n, "customer_contact", System.HUBSPOT, None)
    await seed(rig, 10, "customer_contact", System.SHOPIFY, now - timedelta(hours=7))  # due (6 h cadence)
    await seed(rig, 11, "customer_contact", System.SHOPIFY, now - timedelta(hours=1))  # not due
    allowance = {System.HUBSPOT: 4, System.SHOPIFY: 10, System.NETSUITE: 10}
    active, standby = rig.scheduler("replica-a", allowance), rig.scheduler("replica-b", allowance)

    first = await active.sweep()
    assert not (await standby.sweep()).held
    assert first.spent == {System.HUBSPOT: 4, System.SHOPIFY: 1}
    assert first.backlog == 2

    requests = await rig.received(5)
    assert len(requests) == 5
    assert {r.entity_id for r in requests} == {r.entity_id for r in first.requested}
    assert "ent_0011" not in {r.entity_id for r in requests}
    assert all(
        r.surface is Surface.PULSE and r.reason == "pulse" and r.dimension == "customer_contact"
        for r in requests
    )

    rig.clock.now = now + timedelta(seconds=10)
    second = await active.sweep()  # the two left over, the requested ones skipped
    assert second.spent == {System.HUBSPOT: 2}
    assert second.backlog == 0

    rig.clock.now = now + timedelta(seconds=71)  # replica-a's lease (30 s ttl, renewed at +10 s) lapsed
    takeover = await standby.sweep()
    assert takeover.held
    assert takeover.requested == ()  # everything is asked already and not yet overdue
    assert not (await active.sweep()).held
