"""Running checker instances as processes against real Kafka and MongoDB, and reading what they did."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from pymongo import AsyncMongoClient

from shared.core.events import AnyMessage, parse_message, topic_for
from shared.core.model import System
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    netsuite_customer,
    observed,
    ref,
    shopify_customer,
)

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Deployment:
    """Where one checker deployment runs: broker, database, topic prefix, consumer group."""

    kafka: str
    mongo_uri: str
    database: str
    prefix: str
    group: str

    def environment(self, instance: str) -> dict[str, str]:
        return {
            **os.environ,
            "CONCORD_KAFKA_BOOTSTRAP": self.kafka,
            # FerretDB deadlocks with about 100 statements in flight on one database: a small pool
            # per replica keeps two replicas well below that.
            "CONCORD_MONGODB_URI": _with_option(self.mongo_uri, "maxPoolSize=4"),
            "CONCORD_MONGODB_DATABASE": self.database,
            "CONCORD_TOPIC_PREFIX": self.prefix,
            "CONCORD_GROUP_ID": self.group,
            "CONCORD_INSTANCE_ID": instance,
            "CONCORD_PULSE__ENABLED": "false",
            "CONCORD_LOG_LEVEL": "WARNING",
            "CONCORD_LINK_BATCH_SIZE": "500",
            "CONCORD_EVALUATE_BATCH_SIZE": "500",
        }

    def start(self, instance: str, log: Path) -> subprocess.Popen[bytes]:
        """``python -m services.checker`` as its own process, its output in ``log`` (a pipe nobody
        reads would block the process once full)."""
        with log.open("ab") as output:
            return subprocess.Popen(
                [sys.executable, "-m", "services.checker"], cwd=REPO, env=self.environment(instance),
                stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip


def _with_option(uri: str, option: str) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{option}"


def scale_observations(entities: int, per_entity: int) -> list[AnyMessage]:
    """``entities`` customers, each a HubSpot contact, a Shopify customer and a NetSuite customer
    naming it, observed ``per_entity`` times in all. Every record's first version agrees on the email
    (so links never depend on arrival order); later versions make every fifth entity's NetSuite
    email and every seventh entity's Shopify phone disagree."""
    messages: list[AnyMessage] = []
    for i in range(entities):
        email = f"c{i}@scale.example"
        plan = [System.HUBSPOT, System.SHOPIFY, System.NETSUITE] * per_entity
        for version, system in enumerate(plan[:per_entity]):
            updated = T0 + timedelta(minutes=version, seconds=i % 60)
            last = version >= per_entity - 3
            messages.append(_observation(i, system, email, updated, disagree=last and version > 2))
    return messages


def _observation(i: int, system: System, email: str, updated: object, *, disagree: bool) -> AnyMessage:
    assert not isinstance(updated, str)
    moment = updated  # a datetime; typed loosely to keep the table above readable
    if system is System.HUBSPOT:
        return observed(ref(system, str(100_000 + i)), hubspot_contact(str(100_000 + i), email=email, updated=moment), updated=moment)  # type: ignore[arg-type]  # fmt: skip
    if system is System.SHOPIFY:
        phone = "+16135550199" if disagree and i % 7 == 0 else "+16135550100"
        return observed(ref(system, str(500_000 + i)), shopify_customer(str(500_000 + i), email=email, phone=phone, updated=moment), updated=moment)  # type: ignore[arg-type]  # fmt: skip
    netsuite_email = f"c{i}.old@scale.example" if disagree and i % 5 == 0 else email
    record = netsuite_customer(
        str(200_000 + i), email=netsuite_email, names=f"shopify:{500_000 + i}", updated=moment
    )  # type: ignore[arg-type]
    return observed(ref(system, str(200_000 + i)), record, updated=moment)  # type: ignore[arg-type]


async def end_offsets(kafka: str, topics: Sequence[str]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=kafka, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or ())]
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def committed(kafka: str, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    except KafkaError:  # the group does not exist yet: nothing committed
        return {}
    else:
        return {tp: meta.offset for tp, meta in offsets.items()}
    finally:
        await admin.close()


async def wait_until_drained(deployment: Deployment, *, within_seconds: float) -> None:
    """Until both stages committed everything on their topics, twice in a row a second apart."""
    stages = (
        (f"{deployment.group}.link", topic_for("record_observed", deployment.prefix)),
        (f"{deployment.group}.evaluate", topic_for("entity_changed", deployment.prefix)),
    )
    settled = 0
    async with asyncio.timeout(within_seconds):
        while settled < 2:
            await asyncio.sleep(1.0)
            done = True
            for group, topic in stages:
                ends = await end_offsets(deployment.kafka, [topic])
                commits = await committed(deployment.kafka, group)
                done = done and bool(ends) and all(commits.get(tp, 0) >= end for tp, end in ends.items())
            settled = settled + 1 if done else 0


async def read_topic(kafka: str, topic: str) -> list[tuple[int, int, AnyMessage]]:
    """Every message on ``topic`` as (partition, offset, message), in offset order per partition."""
    ends = await end_offsets(kafka, [topic])
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[tuple[int, int, AnyMessage]] = []
    try:
        remaining = {tp: end for tp, end in ends.items() if end > 0}
        async with asyncio.timeout(60):
            while remaining:
                for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                    for record in records:
                        found.append((record.partition, record.offset, parse_message(record.value or b"")))
                        if record.offset + 1 >= remaining.get(tp, 0):
                            remaining.pop(tp, None)
    finally:
        await consumer.stop()
    return sorted(found, key=lambda item: (item[0], item[1]))


async def open_discrepancies(mongo_uri: str, database: str) -> dict[tuple[str, str], tuple[object, ...]]:
    """(entity, dimension) -> (kind, fields, sorted (system, field, value)) of every open discrepancy;
    raises if one pair has two open episodes (a duplicate)."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    try:
        found: dict[tuple[str, str], tuple[object, ...]] = {}
        async for document in client[database]["discrepancies"].find({"status": "open"}):
            finding = document["document"]["finding"]  # type: ignore[index]
            key = (str(document["entity_id"]), str(document["dimension"]))
            assert key not in found, f"two open episodes of {key}"
            values = sorted((v["system"], v["field"] or "", v["value"] or "") for v in finding["values"])  # type: ignore[index]
            found[key] = (finding["kind"], tuple(finding["fields"]), tuple(values))  # type: ignore[index]
        return found
    finally:
        await client.close()
