"""Fixtures of the syncer's integration tests: one sandbox per module (reset per test), the syncer's
settings on the test's topics and database, and a Platform helper for seeding and inspecting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient
from pymongo.database import Database

from services.syncer.settings import SyncerSettings
from shared.adapters.platforms.clients import PlatformClients
from tests.integration.syncer.support import Platform, syncer_settings
from tests.support.sandbox import RunningSandbox, serve_sandbox


@pytest.fixture(scope="module")
def sandbox(mongo_uri: str) -> Iterator[RunningSandbox]:
    with serve_sandbox(mongo_uri, webhook_target_url=None) as running:
        yield running


@pytest.fixture
def prefix(topic_prefix: str) -> str:
    return topic_prefix.rstrip(".")


@pytest.fixture
def settings(
    sandbox: RunningSandbox,
    kafka_bootstrap: str,
    mongo_uri: str,
    mongo_db: Database[dict[str, object]],
    prefix: str,
) -> SyncerSettings:
    return syncer_settings(
        sandbox, kafka=kafka_bootstrap, mongo_uri=mongo_uri, database=mongo_db.name, prefix=prefix
    )


@pytest.fixture
async def platform(
    sandbox: RunningSandbox, settings: SyncerSettings, mongo_uri: str
) -> AsyncIterator[Platform]:
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    clients = PlatformClients(settings, mongo[f"{settings.mongodb_database}_reader"], CollectorRegistry())
    async with httpx.AsyncClient() as http:
        (await http.post(f"{sandbox.base_url}/_admin/reset")).raise_for_status()
        yield Platform(sandbox, http, clients)
        await http.put(f"{sandbox.base_url}/_admin/faults", json={})
    await clients.close()
    await mongo.drop_database(f"{settings.mongodb_database}_reader")
    await mongo.close()
