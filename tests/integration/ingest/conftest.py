"""One sandbox and one ingest per test module, on a topic prefix and databases of their own.

The sandbox delivers its webhooks to that ingest (signed with the test secrets), and ingest reads
the sandbox's three APIs, so a change made in the sandbox travels the whole way.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from pymongo import MongoClient

from tests.support.ingest import RunningIngest, ingest_settings, serve_ingest
from tests.support.sandbox import RunningSandbox, free_port, serve_sandbox
from tests.support.webhooks import HUBSPOT_SECRET, NETSUITE_SECRET, SHOPIFY_SECRET


@pytest.fixture(scope="module")
def module_prefix() -> str:
    return f"test.ingest.{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def ingest_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def sandbox(mongo_uri: str, ingest_port: int) -> Iterator[RunningSandbox]:
    with serve_sandbox(
        mongo_uri,
        hubspot_client_secret=HUBSPOT_SECRET,
        shopify_api_secret=SHOPIFY_SECRET,
        netsuite_callout_secret=NETSUITE_SECRET,
        webhook_target_url=f"http://127.0.0.1:{ingest_port}",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ingest_database(mongo_uri: str) -> Iterator[str]:
    name = f"test_ingest_{uuid.uuid4().hex[:10]}"
    yield name
    with MongoClient[dict[str, object]](mongo_uri) as client:
        client.drop_database(name)


@pytest.fixture(scope="module")
async def ingest(  # noqa: PLR0917 - pytest injects fixtures by name
    kafka_bootstrap: str,
    mongo_uri: str,
    ingest_database: str,
    module_prefix: str,
    ingest_port: int,
    sandbox: RunningSandbox,
) -> AsyncIterator[RunningIngest]:
    settings = ingest_settings(
        kafka_bootstrap=kafka_bootstrap,
        mongo_uri=mongo_uri,
        database=ingest_database,
        prefix=module_prefix,
        port=ingest_port,
        hubspot=sandbox.hubspot(),
        shopify=sandbox.shopify(),
        netsuite=sandbox.netsuite(),
    )
    async with serve_ingest(settings) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=15.0) as client:
        yield client
