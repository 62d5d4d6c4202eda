"""Composition root of the platform sandbox: one Starlette app imitating HubSpot, Shopify and NetSuite.

settings -> AsyncMongoClient -> SandboxStore -> WebhookDispatcher (a store listener) -> the three
platform APIs, the admin API and the activity routes, behind the fault middleware. The lifespan
creates indexes, starts and stops the dispatcher and closes the clients this module created.
"""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from starlette.applications import Starlette
from starlette.middleware import Middleware

from services.sandbox.activity_routes import activity_routes
from services.sandbox.admin import AdminApi
from services.sandbox.faults import FaultInjector, FaultMiddleware
from services.sandbox.hubspot_api import HubSpotApi
from services.sandbox.netsuite_api import NetSuiteApi
from services.sandbox.netsuite_auth import TokenCredentials, TokenVerifier
from services.sandbox.ratelimit import ConcurrencyGate, HubSpotLimiter, Monotonic, ShopifyBucket
from services.sandbox.settings import SandboxSettings
from services.sandbox.shopify_api import ShopifyApi
from services.sandbox.store import SandboxStore
from services.sandbox.webhooks import WebhookDispatcher


@dataclass(frozen=True)
class SandboxParts:
    """The app's collaborators, kept on ``app.state.sandbox`` for tests and diagnostics."""

    store: SandboxStore
    dispatcher: WebhookDispatcher
    faults: FaultInjector
    hubspot_limiter: HubSpotLimiter
    shopify_bucket: ShopifyBucket
    netsuite_gate: ConcurrencyGate


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_app(
    settings: SandboxSettings,
    *,
    store: SandboxStore | None = None,
    http: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] = _utc_now,
    monotonic: Monotonic = time.monotonic,
) -> Starlette:
    """Build the sandbox app; a given ``store``/``http`` is used as is and left open at shutdown."""
    mongo: AsyncMongoClient[dict[str, Any]] | None = None
    if store is None:
        mongo = AsyncMongoClient(settings.mongodb_uri.get_secret_value(), tz_aware=True)
        store = SandboxStore(mongo[settings.mongodb_database], clock=clock)
    web = http or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
    dispatcher = WebhookDispatcher(settings, web, clock=clock, seed=settings.sandbox_seed)
    store.add_listener(dispatcher.on_change)
    parts = _parts(settings, store, dispatcher, monotonic)
    routes = [
        *HubSpotApi(
            store, settings, limiter=parts.hubspot_limiter, faults=parts.faults, clock=clock
        ).routes(),
        *ShopifyApi(store, settings, bucket=parts.shopify_bucket, faults=parts.faults).routes(),
        *NetSuiteApi(
            store, verifier=_verifier(settings), gate=parts.netsuite_gate, faults=parts.faults
        ).routes(),
        *AdminApi(store, parts.faults, [parts.hubspot_limiter.reset, parts.shopify_bucket.reset]).routes(),
        *activity_routes(store, dispatcher),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await parts.store.ensure_indexes()
        await dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()
            if http is None:
                await web.aclose()
            if mongo is not None:
                await mongo.close()

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(FaultMiddleware, parts.faults)])
    app.state.sandbox = parts
    return app


def _parts(
    settings: SandboxSettings, store: SandboxStore, dispatcher: WebhookDispatcher, monotonic: Monotonic
) -> SandboxParts:
    return SandboxParts(
        store=store,
        dispatcher=dispatcher,
        faults=FaultInjector(monotonic=monotonic),
        hubspot_limiter=HubSpotLimiter(
            burst=settings.hubspot_burst_limit,
            daily=settings.hubspot_daily_limit,
            search_per_second=settings.hubspot_search_per_second,
            monotonic=monotonic,
        ),
        shopify_bucket=ShopifyBucket(
            size=settings.shopify_bucket_size,
            leak_per_second=settings.shopify_leak_per_second,
            monotonic=monotonic,
        ),
        netsuite_gate=ConcurrencyGate(limit=settings.netsuite_concurrency),
    )


def _verifier(settings: SandboxSettings) -> TokenVerifier:
    return TokenVerifier(
        TokenCredentials(
            realm=settings.netsuite_account_id,
            consumer_key=settings.netsuite_consumer_key.get_secret_value(),
            consumer_secret=settings.netsuite_consumer_secret.get_secret_value(),
            token_id=settings.netsuite_token_id.get_secret_value(),
            token_secret=settings.netsuite_token_secret.get_secret_value(),
        )
    )
