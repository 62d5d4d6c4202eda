"""Composition root of the checker: the one place its broker and ports are built."""

from faststream import FastStream
from faststream.kafka import KafkaBroker

from services.checker.settings import CheckerSettings


def build_app(settings: CheckerSettings) -> FastStream:
    """Build the checker's FastStream application (handlers are registered by the checker's issue)."""
    broker = KafkaBroker(settings.kafka_bootstrap, client_id=settings.service_name, enable_idempotence=True)
    return FastStream(broker)
