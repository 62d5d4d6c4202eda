"""HTTP routes for the platforms' webhooks: read, verify (``intake``), make durable, then answer.

The answer is 2xx only after Kafka acknowledged every raw notification of the delivery; if Kafka
cannot take them in time the answer is 503, so the platform retries. Rejections publish nothing.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.ingest.intake import (
    Accepted,
    Delivery,
    Rejected,
    RejectReason,
    accept_hubspot,
    accept_netsuite,
    accept_shopify,
)
from services.ingest.metrics import IngestMetrics
from services.ingest.settings import IngestSettings
from shared.core.events import AnyMessage
from shared.core.ports import MessagePublisher

log = structlog.get_logger(__name__)

Verifier = Callable[[Delivery], Accepted | Rejected]


@dataclass(frozen=True)
class WebhookContext:
    """What the webhook routes need, built once by the composition root."""

    settings: IngestSettings
    publisher: MessagePublisher
    metrics: IngestMetrics
    clock: Callable[[], datetime]


def _error(status: int, reason: str, message: str) -> JSONResponse:
    return JSONResponse({"error": reason, "message": message}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None as soon as it exceeds ``limit`` bytes (without reading the rest)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _signed_uri(request: Request, public_base_url: str | None) -> str:
    if public_base_url is None:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{public_base_url.rstrip('/')}{request.url.path}{query}"


def _route(
    platform: str, verifier: Verifier, context: WebhookContext
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        try:
            return await _handle(request, platform, verifier, context)
        finally:
            context.metrics.webhook_seconds.labels(platform).observe(time.perf_counter() - started)

    return endpoint


async def _handle(request: Request, platform: str, verifier: Verifier, context: WebhookContext) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return _reject(context, platform, Rejected(RejectReason.WRONG_CONTENT_TYPE, "send application/json"))
    try:
        body = await _read_body(request, context.settings.max_body_bytes)
    except ClientDisconnect:
        return Response(status_code=400)
    if body is None:
        limit = context.settings.max_body_bytes
        return _reject(context, platform, Rejected(RejectReason.TOO_LARGE, f"body over {limit} bytes"))
    delivery = Delivery(
        body=body,
        headers={name.lower(): value for name, value in request.headers.items()},
        method=request.method,
        uri=_signed_uri(request, context.settings.public_base_url),
        received_at=context.clock(),
    )
    outcome = verifier(delivery)
    if isinstance(outcome, Rejected):
        return _reject(context, platform, outcome)
    return await _make_durable(context, platform, outcome)


def _reject(context: WebhookContext, platform: str, rejected: Rejected) -> Response:
    context.metrics.webhooks_rejected.labels(platform, rejected.reason.value).inc()
    log.warning("webhook_rejected", platform=platform, reason=rejected.reason.value, status=rejected.status)
    return _error(rejected.status, rejected.reason.value, rejected.message)


async def _make_durable(context: WebhookContext, platform: str, accepted: Accepted) -> Response:
    messages: list[AnyMessage] = list(accepted.notifications)
    try:
        async with asyncio.timeout(context.settings.publish_timeout_seconds):
            await context.publisher.publish_all(messages)
    except Exception as exc:  # noqa: BLE001 - whatever the cause, the delivery is not durable: ask for a retry
        context.metrics.webhooks_unavailable.labels(platform).inc()
        log.error("webhook_not_durable", platform=platform, events=len(messages), error=type(exc).__name__)
        return _error(503, "unavailable", "could not make the delivery durable; retry later")
    context.metrics.webhooks_accepted.labels(platform).inc()
    context.metrics.notifications_published.labels(platform).inc(len(messages))
    log.info("webhook_accepted", platform=platform, events=len(messages))
    return JSONResponse({"accepted": len(messages)}, status_code=200)


def webhook_routes(context: WebhookContext) -> list[Route]:
    """``POST /webhooks/{hubspot,shopify,netsuite}`` bound to their verifiers and secrets."""
    settings = context.settings
    shopify_secrets = [settings.shopify_api_secret.get_secret_value()] + [
        secret.get_secret_value() for secret in settings.shopify_previous_api_secrets
    ]
    verifiers: dict[str, Verifier] = {
        "hubspot": lambda d: accept_hubspot(
            d, client_secret=settings.hubspot_client_secret.get_secret_value()
        ),
        "shopify": lambda d: accept_shopify(d, api_secrets=shopify_secrets),
        "netsuite": lambda d: accept_netsuite(
            d, callout_secret=settings.netsuite_callout_secret.get_secret_value()
        ),
    }
    return [
        Route(f"/webhooks/{platform}", _route(platform, verifier, context), methods=["POST"])
        for platform, verifier in verifiers.items()
    ]
