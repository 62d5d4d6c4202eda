"""Composition root of ingest: the broker and the HTTP routes, built once from settings."""

from faststream.asgi import AsgiFastStream, AsgiResponse, Request, get
from faststream.kafka import KafkaBroker

from services.ingest.settings import IngestSettings


@get
async def healthz(request: Request) -> AsgiResponse:
    """Liveness: the process answers."""
    return AsgiResponse(b'{"status":"alive"}', status_code=200, headers={"content-type": "application/json"})


def build_app(settings: IngestSettings) -> AsgiFastStream:
    """Build ingest's ASGI app; webhook routes and pollers are added by the ingest issue."""
    broker = KafkaBroker(settings.kafka_bootstrap, client_id=settings.service_name, enable_idempotence=True)
    return AsgiFastStream(broker, asgi_routes=[("/healthz", healthz)])
