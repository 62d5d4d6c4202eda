"""Composition root of the checker: the one place its broker, repositories, stages and pulse are built."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from prometheus_client import start_http_server
from pymongo.asynchronous.database import AsyncDatabase

from services.checker.consumers import Stages, message_dead_letters, register_consumers
from services.checker.decisions import DecisionConfig, DecisionPorts
from services.checker.evaluate import EvaluateConfig, EvaluatePorts
from services.checker.link import LinkConfig, LinkPorts
from services.checker.metrics import CheckerMetrics
from services.checker.pulse import PulseScheduler, cadence_from
from services.checker.pulse_wiring import build_pulse_scheduler
from services.checker.settings import CheckerSettings
from services.checker.topics import declare_published_topics
from shared.adapters.batches import DeadLetters
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.mongo import connect_mongo
from shared.adapters.mongo.check_state import MongoCheckStateStore
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.discrepancies import MongoDiscrepancyRepository
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.adapters.mongo.ledger import MongoProcessedLedger
from shared.adapters.mongo.snapshots import MongoSnapshotRepository
from shared.adapters.mongo.sync_writes import MongoSyncWriteLog, ensure_sync_write_indexes
from shared.core.checks import default_registry
from shared.core.mapping import MappingContext
from shared.core.matching import MatchConfig
from shared.core.policy import Policy, default_policy, load_policy
from shared.core.ports import CheckStateStore, MessagePublisher, SyncWriteLog
from shared.core.repositories import (
    DiscrepancyRepository,
    EntityRepository,
    ProcessedLedger,
    SnapshotRepository,
)

log = structlog.get_logger(__name__)

Hook = Callable[[], Awaitable[None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CheckerPorts:
    """Everything the checker talks to; tests pass fakes for some of them.

    ``startup`` hooks run before the consumers start (index creation), ``shutdown`` hooks after
    they stopped (closing clients).
    """

    broker: KafkaBroker
    publisher: MessagePublisher
    snapshots: SnapshotRepository
    entities: EntityRepository
    discrepancies: DiscrepancyRepository
    check_states: CheckStateStore
    sync_writes: SyncWriteLog
    ledger: ProcessedLedger
    metrics: CheckerMetrics = field(default_factory=CheckerMetrics)
    clock: Callable[[], datetime] = utc_now
    pulse: PulseScheduler | None = None
    startup: list[Hook] = field(default_factory=list)
    shutdown: list[Hook] = field(default_factory=list)


def checker_policy(settings: CheckerSettings) -> Policy:
    """The policy file named by the settings, or the shipped default; raises ``PolicyError``."""
    if settings.policy_path is None:
        return default_policy()
    return load_policy(settings.policy_path.read_text(encoding="utf-8"), str(settings.policy_path))


def default_ports(settings: CheckerSettings, policy: Policy) -> CheckerPorts:
    """The real adapters: Kafka, and MongoDB for every store. Nothing connects until used."""
    broker = build_broker(settings)
    publisher = KafkaMessagePublisher(broker, prefix=settings.topic_prefix)
    mongo = connect_mongo(settings)
    database: AsyncDatabase[Document] = mongo[settings.mongodb_database]
    metrics = CheckerMetrics()
    repositories = (
        MongoSnapshotRepository(database), MongoEntityRepository(database), MongoDiscrepancyRepository(database),
        MongoCheckStateStore(database, cadence_of=cadence_from(policy)),
    )  # fmt: skip
    snapshots, entities, discrepancies, check_states = repositories
    pulse = None
    if settings.pulse.enabled:
        pulse = build_pulse_scheduler(
            database=database, publisher=publisher, policy=policy, settings=settings.pulse,
            budget=settings.budget, holder=settings.instance_id, registry=metrics.registry,
        )  # fmt: skip

    async def sync_write_indexes() -> None:
        await ensure_sync_write_indexes(database)

    return CheckerPorts(
        broker=broker, publisher=publisher, snapshots=snapshots, entities=entities,
        discrepancies=discrepancies, check_states=check_states, sync_writes=MongoSyncWriteLog(database),
        ledger=MongoProcessedLedger(database), metrics=metrics, pulse=pulse,
        startup=[*(r.ensure_indexes for r in repositories), sync_write_indexes], shutdown=[mongo.close],
    )  # fmt: skip


def build_stages(settings: CheckerSettings, policy: Policy, ports: CheckerPorts) -> Stages:
    """Every stage wired to ``ports`` with the settings' thresholds."""
    dead_letters = DeadLetters(ports.broker)
    matching = MatchConfig(
        auto_link_at=settings.auto_link_at,
        propose_at=settings.propose_at,
        ambiguity_margin=settings.ambiguity_margin,
    )
    mapping = MappingContext(
        default_phone_region=settings.default_phone_region, default_currency=settings.default_currency
    )
    link_ports = LinkPorts(
        snapshots=ports.snapshots, entities=ports.entities, ledger=ports.ledger, sync_writes=ports.sync_writes,
        publisher=ports.publisher, dead_letters=message_dead_letters(dead_letters, settings.topic_prefix),
        clock=ports.clock,
    )  # fmt: skip
    evaluate_ports = EvaluatePorts(
        snapshots=ports.snapshots, entities=ports.entities, discrepancies=ports.discrepancies,
        check_states=ports.check_states, ledger=ports.ledger, publisher=ports.publisher, clock=ports.clock,
        sync_writes=ports.sync_writes,
    )  # fmt: skip
    decision_ports = DecisionPorts(
        snapshots=ports.snapshots,
        entities=ports.entities,
        ledger=ports.ledger,
        publisher=ports.publisher,
        clock=ports.clock,
    )
    evaluate_config = EvaluateConfig(
        policy=policy, registry=default_registry(), echo_window=settings.echo_window
    )
    return Stages(
        link=(link_ports, LinkConfig(mapping=mapping, matching=matching, echo_window=settings.echo_window)),
        evaluate=(evaluate_ports, evaluate_config),
        decisions=(decision_ports, DecisionConfig()),
        dead_letters=dead_letters,
        metrics=ports.metrics,
    )


def build_app(settings: CheckerSettings, *, ports: CheckerPorts | None = None) -> FastStream:
    """Build the checker's FastStream application: the stages' consumers, the pulse loop and metrics.

    Nothing connects until the app starts; ``app.schema`` is the AsyncAPI document of its topics.
    """
    policy = checker_policy(settings)
    ports = ports or default_ports(settings, policy)
    register_consumers(ports.broker, settings, build_stages(settings, policy, ports))
    declare_published_topics(ports.broker, settings.topic_prefix)
    app = FastStream(ports.broker, specification=checker_specification())

    @app.on_startup
    async def prepare() -> None:
        if settings.ensure_topics:
            await ensure_topics(
                settings.kafka_bootstrap, settings.topic_prefix, partitions=settings.topic_partitions
            )
        await asyncio.gather(*(hook() for hook in ports.startup))

    @app.after_startup
    async def start_background() -> None:
        if settings.metrics_port is not None:
            start_http_server(settings.metrics_port, registry=ports.metrics.registry)
        if ports.pulse is not None:
            ports.pulse.start()
        log.info("checker_started", instance=settings.instance_id, pulse=ports.pulse is not None)

    @app.on_shutdown
    async def stop_background() -> None:
        if ports.pulse is not None:
            await ports.pulse.stop()

    @app.after_shutdown
    async def close() -> None:
        for hook in ports.shutdown:
            await hook()

    return app


def checker_specification() -> AsyncAPI:
    """The AsyncAPI header of the checker's document."""
    return AsyncAPI(
        title="Concord checker",
        version="1.0.0",
        description="Topics the checker consumes and publishes. Message schemas are versioned by "
        "`schema_version`; topic names carry their major version (`.v1`).",
    )
