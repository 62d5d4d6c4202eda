"""Composition root of ingest: the one place its broker, stores, connectors, consumers and pollers are built."""

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from faststream.kafka import KafkaBroker
from starlette.applications import Starlette

from services.ingest.connectors import PlatformClients
from services.ingest.consumers import BatchConsumer, ConsumerPorts, subscribe
from services.ingest.health import health_routes
from services.ingest.hydration import Hydrator
from services.ingest.metrics import IngestMetrics
from services.ingest.polling import PollConfig, Poller, PollTarget
from services.ingest.reading import Connectors
from services.ingest.refresh import Refresher
from services.ingest.scheduling import PollingRunner, Scheduled
from services.ingest.settings import IngestSettings
from services.ingest.webhooks import WebhookContext, webhook_routes
from shared.adapters.batches import BatchSubscription, DeadLetters, DeadLetterSink
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.mongo import MongoCursorStore, MongoLeaseStore, MongoProcessedLedger, connect_mongo
from shared.adapters.platforms.base import PlatformConnector
from shared.core.events import RawNotificationReceived, RefreshRequested, prefixed, topic_for
from shared.core.model import EntityType, System
from shared.core.ports import CursorStore, LeaseStore, MessagePublisher, ProcessedLedger

log = structlog.get_logger(__name__)

HYDRATION_CONSUMER = "concord.ingest.hydration"
REFRESH_CONSUMER = "concord.ingest.refresh"
HYDRATION_DESCRIPTION = "Raw platform notifications, read back from the platform as observations."
REFRESH_DESCRIPTION = (
    "Refresh requests (pulses, post-write read-backs): the record is re-read as an observation."
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class IngestPorts:
    """Everything ingest talks to; tests pass fakes for some of them (``None``: built from settings)."""

    broker: KafkaBroker
    publisher: MessagePublisher
    metrics: IngestMetrics = field(default_factory=IngestMetrics)
    clock: Callable[[], datetime] = utc_now
    connectors: Mapping[System, PlatformConnector] | None = None
    cursors: CursorStore | None = None
    leases: LeaseStore | None = None
    processed: ProcessedLedger | None = None
    dead_letters: DeadLetterSink | None = None


def default_ports(settings: IngestSettings) -> IngestPorts:
    broker = build_broker(settings, request_timeout_ms=int(settings.publish_timeout_seconds * 1000))
    return IngestPorts(broker=broker, publisher=KafkaMessagePublisher(broker, prefix=settings.topic_prefix))


def replica_name(settings: IngestSettings) -> str:
    """This replica's name in leases: configured, or host, process id and a random suffix."""
    return settings.replica_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


async def _connect_until_up(broker: KafkaBroker, settings: IngestSettings) -> None:
    """Create missing topics and connect, retrying while Kafka is down; webhooks answer 503 meanwhile."""
    delay = 0.5
    while True:
        try:
            await ensure_topics(
                settings.kafka_bootstrap, settings.topic_prefix, partitions=settings.topic_partitions
            )
            await broker.start()
        except Exception as exc:  # noqa: BLE001 - any failure: Kafka not reachable yet, try again
            log.warning("kafka_unreachable", error=type(exc).__name__, retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
        else:
            log.info("kafka_connected")
            return


def register_consumers(
    broker: KafkaBroker, settings: IngestSettings, connectors: Connectors, ports: ConsumerPorts
) -> None:
    """The raw-notification (hydration) and refresh-request subscribers, each in its own group."""
    prefix, tuning = settings.topic_prefix, settings.consumers
    hydrator = Hydrator(connectors, clock=ports.clock)
    refresher = Refresher(connectors, clock=ports.clock)
    subscribe(
        broker,
        BatchConsumer(HYDRATION_CONSUMER, RawNotificationReceived, hydrator.hydrate, ports),
        BatchSubscription(
            topic=topic_for("raw_notification_received", prefix),
            group_id=prefixed(HYDRATION_CONSUMER, prefix),
            max_records=tuning.hydration_batch_size,
            title=f"{HYDRATION_CONSUMER}:{topic_for('raw_notification_received', prefix)}",
            description=HYDRATION_DESCRIPTION,
            batch_timeout_ms=tuning.hydration_window_ms,
            retry_delay_seconds=tuning.retry_seconds,
        ),
    )
    subscribe(
        broker,
        BatchConsumer(REFRESH_CONSUMER, RefreshRequested, refresher.refresh, ports),
        BatchSubscription(
            topic=topic_for("refresh_requested", prefix),
            group_id=prefixed(REFRESH_CONSUMER, prefix),
            max_records=tuning.refresh_batch_size,
            title=f"{REFRESH_CONSUMER}:{topic_for('refresh_requested', prefix)}",
            description=REFRESH_DESCRIPTION,
            batch_timeout_ms=tuning.refresh_window_ms,
            retry_delay_seconds=tuning.retry_seconds,
        ),
    )


def build_pollers(
    settings: IngestSettings,
    connectors: Connectors,
    accounts: Mapping[System, str],
    *,
    cursors: CursorStore,
    leases: LeaseStore,
    publisher: MessagePublisher,
    clock: Callable[[], datetime],
) -> list[Scheduled]:
    """One poller per (configured platform, entity type), with that platform's interval."""
    polling = settings.polling
    config = PollConfig(
        overlap=timedelta(seconds=polling.overlap_seconds),
        initial_lookback=timedelta(seconds=polling.initial_lookback_seconds),
        lease_ttl=timedelta(seconds=polling.lease_ttl_seconds),
    )
    intervals = {
        System.HUBSPOT: polling.hubspot_interval_seconds,
        System.SHOPIFY: polling.shopify_interval_seconds,
        System.NETSUITE: polling.netsuite_interval_seconds,
    }
    holder = replica_name(settings)
    return [
        Scheduled(
            Poller(
                PollTarget(system, accounts.get(system, "default"), entity_type),
                connector,
                cursors=cursors, leases=leases, publisher=publisher, holder=holder, config=config, clock=clock,
            ),
            intervals[system],
        )
        for system, connector in connectors.items()
        for entity_type in EntityType
    ]  # fmt: skip


def build_app(settings: IngestSettings, *, ports: IngestPorts | None = None) -> Starlette:
    """Build ingest's ASGI app. Nothing connects until the app's lifespan starts."""
    ports = ports or default_ports(settings)
    mongo = connect_mongo(settings)
    database = mongo[settings.mongodb_database]
    platforms = (
        PlatformClients(settings, database, ports.metrics.registry) if ports.connectors is None else None
    )
    connectors = ports.connectors if platforms is None else platforms.connectors
    consumer_ports = ConsumerPorts(
        publisher=ports.publisher,
        dead_letters=ports.dead_letters or DeadLetters(ports.broker, ports.clock),
        processed=ports.processed or MongoProcessedLedger(database),
        metrics=ports.metrics,
        clock=ports.clock,
    )
    register_consumers(ports.broker, settings, connectors or {}, consumer_ports)
    scheduled = build_pollers(
        settings,
        connectors or {},
        platforms.accounts if platforms else {},
        cursors=ports.cursors or MongoCursorStore(database),
        leases=ports.leases or MongoLeaseStore(database),
        publisher=ports.publisher,
        clock=ports.clock,
    )
    runner = PollingRunner(
        scheduled if settings.polling.enabled else [],
        retry_seconds=settings.polling.retry_seconds,
        metrics=ports.metrics,
    )
    broker = ports.broker

    async def kafka_ready() -> bool:
        return await broker.ping(timeout=2.0)

    async def mongo_ready() -> bool:
        await mongo.admin.command("ping")
        return True

    async def start() -> None:
        await _connect_until_up(broker, settings)
        runner.start()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        starting = asyncio.create_task(start())
        try:
            yield
        finally:
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            await runner.stop()
            await broker.stop()
            if platforms is not None:
                await platforms.close()
            await mongo.close()

    context = WebhookContext(
        settings=settings, publisher=ports.publisher, metrics=ports.metrics, clock=ports.clock
    )
    routes = [
        *webhook_routes(context),
        *health_routes(kafka_ready=kafka_ready, mongo_ready=mongo_ready, metrics=ports.metrics),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
