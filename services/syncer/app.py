"""Composition root of the syncer: the one place its broker and ports are built."""

from faststream import FastStream
from faststream.kafka import KafkaBroker

from services.syncer.settings import SyncerSettings


def build_app(settings: SyncerSettings) -> FastStream:
    """Build the syncer's FastStream application (handlers are registered by the syncer's issue)."""
    broker = KafkaBroker(settings.kafka_bootstrap, client_id=settings.service_name, enable_idempotence=True)
    return FastStream(broker)
