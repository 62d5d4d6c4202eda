"""Read what a running demo has found: discrepancy counts by kind (what the dashboard's inbox shows)."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import MongoClient

from infra.demo.config import DemoConfig

KINDS = ("missing", "soft_drift", "hard_conflict")


def discrepancy_counts(config: DemoConfig, *, status: str | None = "open") -> dict[str, int]:
    """Discrepancies per kind in the demo's database (``status=None``: open and resolved)."""
    query: dict[str, object] = {} if status is None else {"status": status}
    with MongoClient[dict[str, object]](config.mongo_uri, serverSelectionTimeoutMS=3000) as client:
        collection = client[config.database]["discrepancies"]
        return {kind: collection.count_documents({**query, "kind": kind}) for kind in KINDS}


async def consumer_lag(config: DemoConfig) -> int:
    """Messages the deployment's consumer groups have not committed yet, over every topic they read.

    The groups are found by name: ingest's carry the topic prefix, the checker's and syncer's the group
    suffix (see ``infra.demo.config``). A partition of a topic a group reads that it never committed
    counts from offset 0.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=config.kafka)
    consumer = AIOKafkaConsumer(bootstrap_servers=config.kafka)
    await admin.start()
    await consumer.start()
    try:
        lag = 0
        for group in await _deployment_groups(admin, config):
            offsets = await admin.list_consumer_group_offsets(group)
            done = {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()}
            described = await admin.describe_topics(sorted({topic for topic, _ in done}))
            partitions = [
                TopicPartition(str(topic["topic"]), int(partition["partition"]))
                for topic in described
                for partition in topic["partitions"]
            ]
            ends = await consumer.end_offsets(partitions)
            lag += sum(
                max(0, end - max(0, done.get((tp.topic, tp.partition), 0))) for tp, end in ends.items()
            )
        return lag
    finally:
        await consumer.stop()
        await admin.close()


async def _deployment_groups(admin: AIOKafkaAdminClient, config: DemoConfig) -> list[str]:
    names = [str(group[0]) for group in await admin.list_consumer_groups()]
    return [
        name for name in names
        if name.startswith(f"{config.topic_prefix}.") or name.endswith(config.group_suffix)
        or f"{config.group_suffix}." in name
    ]  # fmt: skip
