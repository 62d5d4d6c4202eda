"""Approve a sync the way the dashboard does, for headless drivers of a demo (the e2e and scaling tests).

``sync_command(discrepancy, snapshots, approved_by=...)`` builds the ``SyncCommand`` an operator's "apply
the policy" produces: the fields that disagree, made to agree by their owners, with the records as the
operator saw them (source version and values) as the syncer's precondition. ``publish`` sends commands
to the deployment's command topic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient, MongoClient

from infra.demo.config import DemoConfig
from shared.adapters.kafka import KafkaMessagePublisher
from shared.adapters.mongo.snapshots import MongoSnapshotRepository
from shared.core.discrepancy import Discrepancy
from shared.core.events import PolicySync, SeenRecord, SyncCommand, first_in_chain, new_message_id
from shared.core.sync import image_of
from shared.core.sync.model import AnySnapshot


def open_discrepancies(config: DemoConfig, dimension: str) -> list[tuple[str, Discrepancy]]:
    """``(event discrepancy id, discrepancy)`` of every open episode of ``dimension``."""
    with MongoClient[dict[str, object]](config.mongo_uri, tz_aware=True) as client:
        documents = client[config.database]["discrepancies"].find(
            {"status": "open", "document.dimension": dimension}
        )
        return [(str(d["discrepancy_id"]), Discrepancy.model_validate(d["document"])) for d in documents]


async def seen_snapshots(config: DemoConfig, discrepancy: Discrepancy) -> Mapping[str, AnySnapshot]:
    """The stored snapshots of the records the discrepancy names: what the dashboard shows the operator."""
    refs = [value.ref.key for value in discrepancy.finding.values if value.ref is not None]
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(config.mongo_uri, tz_aware=True)
    try:
        return await MongoSnapshotRepository(client[config.database]).load_many(refs)
    finally:
        await client.close()


def sync_command(
    event_id: str, discrepancy: Discrepancy, snapshots: Mapping[str, AnySnapshot], *, approved_by: str
) -> SyncCommand:
    """Apply the policy to the fields that disagree, against the revision and records the operator saw."""
    fields = discrepancy.finding.fields
    seen = tuple(
        SeenRecord(ref=s.ref, source_version=s.source_version, values=image_of(s.values, fields))
        for s in snapshots.values()
    )
    command_id = new_message_id()
    now = datetime.now(UTC)
    return SyncCommand.model_validate({
        **first_in_chain(producer="dashboard", produced_at=now, message_id=command_id),
        "command_id": command_id, "idempotency_key": new_message_id(), "entity_id": discrepancy.entity_id,
        "entity_type": discrepancy.entity_type, "dimension": discrepancy.dimension, "discrepancy_id": event_id,
        "discrepancy_revision": discrepancy.revision, "action": PolicySync(fields=fields),
        "approved_by": approved_by, "approved_at": now, "reason": "apply the owner's value", "seen": seen,
    })  # fmt: skip


async def publish(config: DemoConfig, commands: Sequence[SyncCommand]) -> None:
    broker = KafkaBroker(config.kafka)
    await broker.start()
    try:
        await KafkaMessagePublisher(broker, prefix=config.topic_prefix).publish_all(list(commands))
    finally:
        await broker.stop()


def command_states(config: DemoConfig, command_ids: Sequence[str]) -> dict[str, str | None]:
    with MongoClient[dict[str, object]](config.mongo_uri) as client:
        found = {
            str(d["_id"]): str(d["state"])
            for d in client[config.database]["sync_commands"].find({"_id": {"$in": list(command_ids)}})
        }
    return {command_id: found.get(command_id) for command_id in command_ids}
