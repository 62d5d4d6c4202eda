"""Fixtures of the sandbox tests: a store on a fresh database of the real MongoDB-protocol server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from pymongo import AsyncMongoClient
from starlette.applications import Starlette

from services.sandbox.app import SandboxParts, build_app
from services.sandbox.settings import SandboxSettings
from services.sandbox.store import SandboxStore


class SteppingClock:
    """A clock that advances one second per reading, so every write has a distinct stamp."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2024, 6, 10, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
async def async_mongo(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
async def store(
    async_mongo: AsyncMongoClient[dict[str, Any]], unique: str, clock: SteppingClock
) -> AsyncIterator[SandboxStore]:
    name = f"test_sandbox_{unique}"
    built = SandboxStore(async_mongo[name], clock=clock)
    await built.ensure_indexes()
    yield built
    await async_mongo.drop_database(name)


class ManualMonotonic:
    """A monotonic clock the test moves by hand (rate limits, storms)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Sandbox:
    """A running sandbox app (lifespan entered) and an HTTP client bound to it."""

    app: Starlette
    client: httpx.AsyncClient
    parts: SandboxParts
    monotonic: ManualMonotonic
    settings: SandboxSettings


SandboxFactory = Callable[..., AbstractAsyncContextManager[Sandbox]]
BASE_URL = "http://sandbox.test"


@pytest.fixture
def sandbox_factory(store: SandboxStore, clock: SteppingClock, mongo_uri: str) -> SandboxFactory:
    """Builds a sandbox over the test's store with settings overridden by keyword arguments."""

    @asynccontextmanager
    async def build(**overrides: Any) -> AsyncIterator[Sandbox]:
        settings = SandboxSettings(mongodb_uri=SecretStr(mongo_uri), webhook_target_url=None, **overrides)
        monotonic = ManualMonotonic()
        app = build_app(settings, store=store, clock=clock, monotonic=monotonic)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                yield Sandbox(app, client, app.state.sandbox, monotonic, settings)

    return build


@pytest.fixture
async def sandbox(sandbox_factory: SandboxFactory) -> AsyncIterator[Sandbox]:
    async with sandbox_factory() as running:
        yield running
