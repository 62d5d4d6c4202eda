"""Acceptance 5 of issue 6: the same batch delivered twice leaves MongoDB and the topics unchanged.

Both stages run on the real adapters (FerretDB, Kafka); the second delivery of each batch is what a
consumer sees after a crash between storing its effects and committing its offsets.
"""

from collections.abc import AsyncIterator
from datetime import UTC, timedelta

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.checker.app import CheckerPorts, build_stages, checker_policy
from services.checker.evaluate import run_evaluate_stage
from services.checker.link import run_link_stage
from services.checker.settings import CheckerSettings
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.mongo.check_state import MongoCheckStateStore
from shared.adapters.mongo.discrepancies import MongoDiscrepancyRepository
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.adapters.mongo.ledger import MongoProcessedLedger
from shared.adapters.mongo.snapshots import MongoSnapshotRepository
from shared.adapters.mongo.sync_writes import MongoSyncWriteLog
from shared.core.model import System
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    netsuite_customer,
    observed,
    ref,
    shopify_customer,
)
from tests.integration.checker.scale_support import end_offsets

Document = dict[str, object]


@pytest.fixture
async def database(mongo_uri: str, unique: str) -> AsyncIterator[AsyncDatabase[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, tz_aware=True, tzinfo=UTC)
    yield client[f"test_{unique}"]
    await client.drop_database(f"test_{unique}")
    await client.close()


async def _dump(database: AsyncDatabase[Document]) -> dict[str, list[Document]]:
    return {
        name: [document async for document in database[name].find().sort("_id", 1)]
        for name in sorted(await database.list_collection_names())
    }


async def test_a_redelivered_batch_changes_neither_mongodb_nor_the_topics(
    kafka_bootstrap: str, database: AsyncDatabase[Document], unique: str
) -> None:
    settings = CheckerSettings(kafka_bootstrap=kafka_bootstrap, topic_prefix=f"redo{unique}")
    await ensure_topics(kafka_bootstrap, settings.topic_prefix, partitions=3)
    broker = build_broker(settings)
    ports = CheckerPorts(
        broker=broker, publisher=KafkaMessagePublisher(broker, prefix=settings.topic_prefix),
        snapshots=MongoSnapshotRepository(database), entities=MongoEntityRepository(database),  # type: ignore[arg-type]
        discrepancies=MongoDiscrepancyRepository(database), check_states=MongoCheckStateStore(database),  # type: ignore[arg-type]
        sync_writes=MongoSyncWriteLog(database), ledger=MongoProcessedLedger(database),  # type: ignore[arg-type]
    )  # fmt: skip
    stages = build_stages(settings, checker_policy(settings), ports)
    (link_ports, link_config), (evaluate_ports, evaluate_config) = stages.link, stages.evaluate
    batch = [
        observed(ref(System.HUBSPOT, "1"), hubspot_contact("1", email="c1@acme.example"), updated=T0),
        observed(ref(System.SHOPIFY, "7001"), shopify_customer("7001", email="c1@acme.example", phone="+16135550199"), updated=T0),
        observed(ref(System.NETSUITE, "101"), netsuite_customer("101", email="c1@acme.example", names="shopify:7001"), updated=T0),
        observed(ref(System.NETSUITE, "101"), netsuite_customer("101", email="old@acme.example", names="shopify:7001",
                                                              updated=T0 + timedelta(hours=1)), updated=T0 + timedelta(hours=1)),
    ]  # fmt: skip
    topics = [
        f"{settings.topic_prefix}.concord.entities.changed.v1",
        f"{settings.topic_prefix}.concord.discrepancies.v1",
    ]
    async with broker:
        await broker.connect()
        changes = (await run_link_stage(batch, link_ports, link_config)).changes
        first = await run_evaluate_stage(changes, evaluate_ports, evaluate_config)
        assert first.published, "the first delivery opens discrepancies"
        stored, offsets = await _dump(database), await end_offsets(kafka_bootstrap, topics)

        again = await run_link_stage(batch, link_ports, link_config)
        replay = await run_evaluate_stage(changes, evaluate_ports, evaluate_config)

    assert (again.duplicates, replay.duplicates) == (len(batch), len(changes))
    assert await end_offsets(kafka_bootstrap, topics) == offsets
    assert await _dump(database) == stored
