"""A checker process on real Kafka and FerretDB applies an operator's link decision from the command topic."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from pymongo import AsyncMongoClient

from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.settings import ServiceSettings
from shared.core.events import AnyMessage, EntityChanged, topic_for
from shared.core.model import EntityId, System
from tests.component.checker.commands import link_command
from tests.component.checker.records import T0, hubspot_contact, observed, ref, shopify_customer
from tests.integration.checker.scale_support import Deployment
from tests.integration.checker.topic_reader import TopicReader

JANE, SHOP_RECORD = ref(System.HUBSPOT, "51"), ref(System.SHOPIFY, "7001")
Links = Callable[[], Awaitable[dict[str, dict[str, object]]]]


async def _publish(kafka: str, prefix: str, *messages: AnyMessage) -> None:
    broker = build_broker(ServiceSettings(kafka_bootstrap=kafka, service_name="test"))
    async with broker:
        await broker.connect()
        await KafkaMessagePublisher(broker, prefix=prefix).publish_all(list(messages))


@asynccontextmanager
async def _links(mongo_uri: str, database: str) -> AsyncIterator[Links]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True)

    async def read() -> dict[str, dict[str, object]]:
        return {str(d["_id"]): d async for d in client[database]["links"].find({})}

    try:
        yield read
    finally:
        await client.drop_database(database)
        await client.close()


async def _until(
    read: Links, done: Callable[[dict[str, dict[str, object]]], bool]
) -> dict[str, dict[str, object]]:
    async with asyncio.timeout(90):
        while True:  # poll with a deadline: MongoDB has no change streams on FerretDB
            found = await read()
            if done(found):
                return found
            await asyncio.sleep(0.5)


async def test_a_link_command_moves_the_record_in_mongodb_and_publishes_entity_changes(
    kafka_bootstrap: str, mongo_uri: str, unique: str, tmp_path: Path
) -> None:
    deployment = Deployment(kafka_bootstrap, mongo_uri, f"test_{unique}", f"dec{unique}", f"checker-{unique}")
    await ensure_topics(kafka_bootstrap, deployment.prefix, partitions=3)
    checker = deployment.start("a", tmp_path / "checker.log")
    try:
        async with _links(mongo_uri, deployment.database) as read_links:
            await _publish(kafka_bootstrap, deployment.prefix,
                observed(JANE, hubspot_contact("51", email="jane@acme.example"), updated=T0),
                observed(SHOP_RECORD, shopify_customer("7001", email="bob@stone.example"), updated=T0),
            )  # fmt: skip
            before = await _until(read_links, lambda links: {JANE.key, SHOP_RECORD.key} <= links.keys())
            jane, elsewhere = (EntityId(str(before[key]["entity_id"])) for key in (JANE.key, SHOP_RECORD.key))
            assert jane != elsewhere
            command_id = f"cmd-{unique}"
            command = link_command(jane, SHOP_RECORD, command_id=command_id, at=datetime.now(UTC))
            async with TopicReader(kafka_bootstrap, topic_for("entity_changed", deployment.prefix)) as reader:
                await _publish(kafka_bootstrap, deployment.prefix, command)

                def rechecked(messages: list[AnyMessage]) -> set[EntityId]:
                    return {
                        m.entity_id
                        for m in messages
                        if isinstance(m, EntityChanged) and m.cause == command_id
                    }

                await reader.until(
                    lambda messages: rechecked(messages) == {jane, elsewhere}, within_seconds=90
                )
            after = await _until(read_links, lambda links: links[SHOP_RECORD.key]["entity_id"] == jane)
            assert (after[SHOP_RECORD.key]["method"], after[SHOP_RECORD.key]["confidence"]) == (
                "operator",
                1.0,
            )
    finally:
        checker.kill()
        checker.wait()
