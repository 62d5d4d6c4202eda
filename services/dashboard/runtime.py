"""The composition root of one dashboard server process: the portal loop, Mongo, Kafka, the service.

Built once per process (``st.cache_resource`` in ``app.py``) and shared by every session, so there is
one Kafka producer and one Mongo client per server, not one per interaction.
"""

from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from services.dashboard.inbox_cache import InboxCache
from services.dashboard.kafka_health import AiokafkaHealth
from services.dashboard.portal import Portal
from services.dashboard.ports import DashboardPorts
from services.dashboard.service import DashboardService
from services.dashboard.settings import DashboardSettings
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.mongo import connect_mongo
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.dashboard import DashboardReader, MongoAnnotationStore, MongoInboxCheckpoints
from shared.core.policy import Policy, default_policy, load_policy


@dataclass(frozen=True)
class Runtime:
    """What the pages use: the loop to call async code on, the use cases, the in-memory inbox."""

    portal: Portal
    service: DashboardService
    inbox: InboxCache
    publish_timeout: float = 15.0
    """How long an approval waits for Kafka's acknowledgement before reporting a failure."""

    def close(self) -> None:
        """Stop the producer, close Mongo, stop the loop (tests; a server keeps its runtime)."""
        if self.service.ports.close is not None:
            self.portal.call(self.service.ports.close())
        self.portal.close()


def dashboard_policy(settings: DashboardSettings) -> Policy:
    """The configured policy file, or the built-in default (the same rule as the syncer's)."""
    if settings.policy_file is None:
        return default_policy()
    return load_policy(settings.policy_file.read_text(encoding="utf-8"), settings.policy_file.name)


def build_runtime(settings: DashboardSettings, ports: DashboardPorts | None = None) -> Runtime:
    """Wire the real adapters (or ``ports``, for tests) and start the Kafka producer."""
    portal = Portal()
    if ports is None:
        ports = portal.call(_real_ports(settings))
    service = DashboardService(ports=ports, policy=dashboard_policy(settings))
    inbox = InboxCache(
        ports,
        portal,
        refresh_seconds=settings.inbox_refresh_seconds,
        checkpoint_seconds=settings.inbox_checkpoint_seconds,
    )
    return Runtime(
        portal=portal, service=service, inbox=inbox, publish_timeout=settings.publish_timeout_seconds
    )


async def _real_ports(settings: DashboardSettings) -> DashboardPorts:
    client = connect_mongo(settings)
    database = client[settings.mongodb_database]
    await ensure_topics(settings.kafka_bootstrap, settings.topic_prefix)
    broker = build_broker(settings)
    await broker.start()
    return DashboardPorts(
        reader=DashboardReader(database),
        annotations=MongoAnnotationStore(database),
        publisher=KafkaMessagePublisher(broker, prefix=settings.topic_prefix),
        kafka=AiokafkaHealth(settings.kafka_bootstrap, settings.topic_prefix),
        checkpoints=MongoInboxCheckpoints(database),
        close=lambda: _close(broker, client),
    )


async def _close(broker: KafkaBroker, client: AsyncMongoClient[Document]) -> None:
    await broker.stop()
    await client.close()


__all__ = ["Runtime", "build_runtime", "dashboard_policy"]
