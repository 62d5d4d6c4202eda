"""Composition root of the syncer: the one place its broker, store, connectors and use case are built."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from faststream import FastStream
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry

from services.syncer.handlers import register_handlers
from services.syncer.platforms import ConnectorPlatforms
from services.syncer.service import CommandRunner, SyncerDeps
from services.syncer.settings import SyncerSettings
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.mongo import connect_mongo
from shared.adapters.mongo.commands import MongoCommandStore, ensure_command_indexes
from shared.adapters.mongo.sync_writes import MongoSyncWriteRecorder, ensure_sync_write_indexes
from shared.adapters.platforms.base import PlatformConnector
from shared.adapters.platforms.clients import PlatformClients
from shared.core.mapping import MappingContext
from shared.core.model import System
from shared.core.policy import Policy, default_policy, load_policy

log = structlog.get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SyncerPorts:
    """What the syncer talks to; tests may pass connectors (``None``: built from settings) or a clock."""

    broker: KafkaBroker
    connectors: Mapping[System, PlatformConnector] | None = None
    clock: Callable[[], datetime] = utc_now
    shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


def syncer_policy(settings: SyncerSettings) -> Policy:
    """The configured policy file, or the built-in default policy."""
    if settings.policy_file is None:
        return default_policy()
    return load_policy(settings.policy_file.read_text(encoding="utf-8"), settings.policy_file.name)


def build_app(settings: SyncerSettings, *, ports: SyncerPorts | None = None) -> FastStream:
    """Build the syncer's FastStream application. Nothing connects until the app starts."""
    ports = ports or SyncerPorts(broker=build_broker(settings))
    mongo = connect_mongo(settings)
    database = mongo[settings.mongodb_database]
    connectors = ports.connectors
    if connectors is None:
        clients = PlatformClients(settings, database, CollectorRegistry())
        connectors = clients.connectors
        ports.shutdown.append(clients.close)
    context = MappingContext(
        default_phone_region=settings.default_phone_region, default_currency=settings.default_currency
    )
    runner = CommandRunner(
        SyncerDeps(
            store=MongoCommandStore(database),
            platforms=ConnectorPlatforms(connectors, context, ports.clock),
            write_log=MongoSyncWriteRecorder(database),
            publisher=KafkaMessagePublisher(ports.broker, prefix=settings.topic_prefix),
            policy=syncer_policy(settings),
            retry=settings.retry.policy(),
            clock=ports.clock,
            pause_after_write=settings.test_pause_after_write_seconds,
        )
    )
    register_handlers(
        ports.broker, runner, prefix=settings.topic_prefix, group_id=settings.group_id,
        batch_size=settings.batch_size, retry_seconds=settings.retry_batch_seconds,
    )  # fmt: skip
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
        log.info("syncer_started", platforms=sorted(s.value for s in connectors))

    @app.after_shutdown
    async def close() -> None:
        for hook in ports.shutdown:
            await hook()
        await mongo.close()

    return app
