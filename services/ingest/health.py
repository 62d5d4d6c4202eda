"""Liveness, readiness and metrics endpoints."""

import asyncio
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.ingest.metrics import IngestMetrics

Probe = Callable[[], Awaitable[bool]]


def health_routes(*, kafka_ready: Probe, mongo_ready: Probe, metrics: IngestMetrics) -> list[Route]:
    """``/healthz`` (the process answers), ``/readyz`` (Kafka and MongoDB answer), ``/metrics``."""

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def readyz(request: Request) -> Response:
        kafka, mongo = await asyncio.gather(_safe(kafka_ready), _safe(mongo_ready))
        status = 200 if kafka and mongo else 503
        return JSONResponse({"kafka": kafka, "mongodb": mongo}, status_code=status)

    async def prometheus(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", prometheus, methods=["GET"]),
    ]


async def _safe(probe: Probe, limit_seconds: float = 3.0) -> bool:
    try:
        async with asyncio.timeout(limit_seconds):
            return await probe()
    except Exception:  # noqa: BLE001 - a probe that fails in any way means "not ready"
        return False
