"""Helpers of the syncer's integration tests: a sandbox, the syncer (in-process or as a process),
commands as the dashboard would build them, and polling with deadlines."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from faststream.kafka import KafkaBroker
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from services.syncer.app import build_app
from services.syncer.platforms import ConnectorPlatforms
from services.syncer.settings import RetrySettings, SyncerSettings
from shared.adapters.kafka import KafkaMessagePublisher, ensure_topics
from shared.adapters.platforms.clients import PlatformClients
from shared.core.events import SeenRecord, SyncAction, SyncCommand, first_in_chain, new_message_id
from shared.core.mapping import MappingContext
from shared.core.model import EntityId, EntityType, ExternalRef, System
from shared.core.sync import CommandRecord, image_of
from tests.support.sandbox import RunningSandbox

T = TypeVar("T")
CONTEXT = MappingContext(default_phone_region="US", default_currency="USD")


def syncer_settings(
    sandbox: RunningSandbox, *, kafka: str, mongo_uri: str, database: str, prefix: str, **overrides: object
) -> SyncerSettings:
    values: dict[str, object] = {
        "kafka_bootstrap": kafka, "mongodb_uri": SecretStr(mongo_uri), "mongodb_database": database,
        "topic_prefix": prefix, "topic_partitions": 1, "hubspot": sandbox.hubspot(),
        "netsuite": sandbox.netsuite(), "log_format": "console", "retry_batch_seconds": 0.5,
        "retry": RetrySettings(max_attempts=4, base_delay_seconds=0.2, max_delay_seconds=5.0, scan_seconds=0.2),
        **overrides,
    }  # fmt: skip
    return SyncerSettings.model_validate(values)


@contextlib.asynccontextmanager
async def running_syncer(settings: SyncerSettings) -> AsyncIterator[None]:
    app = build_app(settings)
    await app.start()
    try:
        yield
    finally:
        await app.stop()


async def eventually(probe: Callable[[], Awaitable[T | None]], seconds: float, what: str) -> T:
    """The first non-None, truthy answer of ``probe`` within ``seconds``."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = await probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


class Platform:
    """The sandbox as tests and the dashboard see it: admin calls and connector reads."""

    def __init__(self, sandbox: RunningSandbox, http: httpx.AsyncClient, clients: PlatformClients) -> None:
        self.sandbox = sandbox
        self.http = http
        self.reader = ConnectorPlatforms(clients.connectors, CONTEXT, lambda: datetime.now(UTC))

    async def create(self, system: System, object_type: str, record: dict[str, object]) -> ExternalRef:
        response = await self.http.post(f"{self.sandbox.base_url}/_admin/records/{system}/{object_type}",
                                        json={"record": record})  # fmt: skip
        response.raise_for_status()
        return ExternalRef(system=system, object_type=object_type, external_id=str(response.json()["id"]))

    async def edit(self, ref: ExternalRef, changes: dict[str, object]) -> None:
        body = {
            "system": ref.system,
            "object_type": ref.object_type,
            "id": ref.external_id,
            "changes": changes,
        }
        (await self.http.post(f"{self.sandbox.base_url}/_admin/edit", json=body)).raise_for_status()

    async def writes(self, ref: ExternalRef) -> int:
        response = await self.http.get(f"{self.sandbox.base_url}/_admin/write-counts")
        counts: dict[str, int] = response.json()["write_counts"]
        return counts.get(ref.key, 0)

    async def faults(self, system: System, faults: dict[str, object]) -> None:
        (
            await self.http.put(f"{self.sandbox.base_url}/_admin/faults/{system}", json=faults)
        ).raise_for_status()

    async def seen(self, ref: ExternalRef, fields: tuple[str, ...]) -> SeenRecord:
        """What an approver sees of ``ref`` now (what the dashboard would put in the command)."""
        (snapshot,) = await self.reader.read([ref], EntityType.CUSTOMER)
        return SeenRecord(ref=ref, source_version=snapshot.source_version,
                          values=image_of(snapshot.values, frozenset(fields)))  # fmt: skip

    async def email(self, ref: ExternalRef) -> str | None:
        (snapshot,) = await self.reader.read([ref], EntityType.CUSTOMER)
        return snapshot.values.email if hasattr(snapshot.values, "email") else None


def command(
    action: SyncAction, seen: tuple[SeenRecord, ...], *, entity: str = "ent_sync", **extra: object
) -> SyncCommand:
    command_id = new_message_id()
    envelope = first_in_chain(producer="dashboard", produced_at=datetime.now(UTC), message_id=command_id)
    values: dict[str, object] = {
        **envelope, "command_id": command_id, "idempotency_key": new_message_id(), "entity_id": EntityId(entity),
        "entity_type": EntityType.CUSTOMER, "dimension": "customer_contact", "action": action,
        "approved_by": "operator@example.com", "approved_at": datetime.now(UTC), "reason": "test", "seen": seen,
        **extra,
    }  # fmt: skip
    return SyncCommand.model_validate(values)


async def publish(kafka: str, prefix: str, *messages: SyncCommand) -> None:
    await ensure_topics(kafka, prefix, partitions=1)
    broker = KafkaBroker(kafka)
    await broker.start()
    try:
        await KafkaMessagePublisher(broker, prefix=prefix).publish_all(list(messages))
    finally:
        await broker.stop()


async def command_record(mongo_uri: str, database: str, command_id: str) -> CommandRecord | None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        document = await client[database]["sync_commands"].find_one({"_id": command_id})
    finally:
        await client.close()
    return None if document is None else CommandRecord.model_validate(document["record"])


async def final_record(
    mongo_uri: str, database: str, command_id: str, seconds: float = 60.0
) -> CommandRecord:
    async def probe() -> CommandRecord | None:
        record = await command_record(mongo_uri, database, command_id)
        return record if record is not None and record.final and record.results_published else None

    return await eventually(probe, seconds, f"command {command_id} to finish")


async def dead_commands(mongo_uri: str, database: str) -> dict[str, str | None]:
    """Dead commands and their last error, queried as the dashboard lists them (by state)."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        cursor = client[database]["sync_commands"].find({"state": "dead"}, {"last_error": 1})
        return {str(d["_id"]): d.get("last_error") async for d in cursor}  # type: ignore[misc]  # last_error is a string or None
    finally:
        await client.close()
