"""Composition root of the syncer: the one place its broker, store, connectors and use case are built."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from faststream import FastStream
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo.asynchronous.database import AsyncDatabase

from services.syncer.handlers import register_handlers
from services.syncer.platforms import ConnectorPlatforms, Platforms
from services.syncer.related import LinkedRecords, RelatedLookup
from services.syncer.retries import RetryScheduler
from services.syncer.service import CommandRunner, SyncerDeps, WriteRecorder
from services.syncer.settings import SyncerSettings
from services.syncer.topics import declare_published_topics
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.mongo import connect_mongo
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.commands import MongoCommandStore, ensure_command_indexes
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.adapters.mongo.sync_writes import MongoSyncWriteRecorder, ensure_sync_write_indexes
from shared.adapters.platforms.base import PlatformConnector
from shared.adapters.platforms.clients import PlatformClients
from shared.core.mapping import MappingContext
from shared.core.model import System
from shared.core.policy import Policy, default_policy, load_policy
from shared.core.ports import MessagePublisher
from shared.core.sync import CommandStore

log = structlog.get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SyncerPorts:
    """What the syncer talks to. ``None`` builds the real one from settings; tests pass connectors, or
    in-memory fakes of the store, write log, platforms and publisher, and a clock."""

    broker: KafkaBroker
    connectors: Mapping[System, PlatformConnector] | None = None
    clock: Callable[[], datetime] = utc_now
    shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    store: CommandStore | None = None
    write_log: WriteRecorder | None = None
    platforms: Platforms | None = None
    publisher: MessagePublisher | None = None
    related: RelatedLookup | None = None


def syncer_policy(settings: SyncerSettings) -> Policy:
    """The configured policy file, or the built-in default policy."""
    if settings.policy_file is None:
        return default_policy()
    return load_policy(settings.policy_file.read_text(encoding="utf-8"), settings.policy_file.name)


def _connector_platforms(
    settings: SyncerSettings, ports: SyncerPorts, database: AsyncDatabase[Document]
) -> ConnectorPlatforms:
    """The platforms over the connectors given, or over connectors built from settings (kept in ports)."""
    if ports.connectors is None:
        clients = PlatformClients(settings, database, CollectorRegistry())
        ports.connectors = clients.connectors
        ports.shutdown.append(clients.close)
    context = MappingContext(
        default_phone_region=settings.default_phone_region, default_currency=settings.default_currency
    )
    return ConnectorPlatforms(ports.connectors, context, ports.clock)


def build_app(settings: SyncerSettings, *, ports: SyncerPorts | None = None) -> FastStream:
    """Build the syncer's FastStream application. Nothing connects until the app starts; its broker
    declares every topic the syncer consumes and publishes (the AsyncAPI document)."""
    ports = ports or SyncerPorts(broker=build_broker(settings))
    mongo = connect_mongo(settings)
    database = mongo[settings.mongodb_database]
    platforms = ports.platforms or _connector_platforms(settings, ports, database)
    store = ports.store or MongoCommandStore(database)
    publisher = ports.publisher or KafkaMessagePublisher(ports.broker, prefix=settings.topic_prefix)
    runner = CommandRunner(
        SyncerDeps(
            store=store,
            platforms=platforms,
            write_log=ports.write_log or MongoSyncWriteRecorder(database),
            publisher=publisher,
            policy=syncer_policy(settings),
            retry=settings.retry.policy(),
            clock=ports.clock,
            pause_after_write=settings.test_pause_after_write_seconds,
            related=ports.related or LinkedRecords(MongoEntityRepository(database), platforms),
        )
    )
    register_handlers(
        ports.broker, runner, prefix=settings.topic_prefix, group_id=settings.group_id,
        batch_size=settings.batch_size, retry_seconds=settings.retry_batch_seconds,
    )  # fmt: skip
    declare_published_topics(ports.broker, settings.topic_prefix)
    scheduler = RetryScheduler(store, publisher, ports.clock, settings.retry.scheduling())
    background: list[asyncio.Task[None]] = []
    app = FastStream(ports.broker)

    @app.on_startup
    async def prepare() -> None:
        await ensure_topics(
            settings.kafka_bootstrap, settings.topic_prefix, partitions=settings.topic_partitions
        )
        await ensure_command_indexes(database)
        await ensure_sync_write_indexes(database)

    @app.after_startup
    async def started() -> None:
        background.append(asyncio.create_task(scheduler.run(), name="syncer-retry-scheduler"))
        log.info("syncer_started", platforms=sorted(s.value for s in ports.connectors or {}))

    @app.on_shutdown
    async def stop_scheduler() -> None:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        background.clear()

    @app.after_shutdown
    async def close() -> None:
        for hook in ports.shutdown:
            await hook()
        await mongo.close()

    return app
