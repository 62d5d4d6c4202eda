"""The ingest service served by uvicorn inside the test's event loop, and settings for it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import uvicorn
from pydantic import SecretStr

from services.ingest.app import IngestPorts, build_app
from services.ingest.settings import ConsumerSettings, IngestSettings, PollingSettings
from tests.support.webhooks import HUBSPOT_SECRET, NETSUITE_SECRET, SHOPIFY_SECRET


def ingest_settings(
    *, kafka_bootstrap: str, mongo_uri: str, database: str, prefix: str, port: int, **overrides: object
) -> IngestSettings:
    """Settings for a test ingest: the test webhook secrets, quick retries, polling off unless overridden."""
    values: dict[str, object] = {
        "kafka_bootstrap": kafka_bootstrap,
        "mongodb_uri": SecretStr(mongo_uri),
        "mongodb_database": database,
        "topic_prefix": prefix,
        "topic_partitions": 3,
        "ingest_port": port,
        "hubspot_client_secret": HUBSPOT_SECRET,
        "shopify_api_secret": SHOPIFY_SECRET,
        "netsuite_callout_secret": NETSUITE_SECRET,
        "log_format": "console",
        "polling": PollingSettings(enabled=False),
        "consumers": ConsumerSettings(retry_seconds=0.5, hydration_window_ms=100, refresh_window_ms=100),
        **overrides,
    }
    return IngestSettings.model_validate(values)


@dataclass(frozen=True)
class RunningIngest:
    base_url: str
    settings: IngestSettings


async def wait_ready(base_url: str, seconds: float) -> None:
    """Until ``/readyz`` answers 200 (Kafka connected, MongoDB answering)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    async with httpx.AsyncClient() as client:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{base_url}/readyz")).status_code == 200:
                    return
            if loop.time() > deadline:
                raise TimeoutError(f"ingest at {base_url} not ready after {seconds}s")
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def serve_ingest(
    settings: IngestSettings, *, ports: IngestPorts | None = None, ready_within: float = 60.0
) -> AsyncIterator[RunningIngest]:
    """Run ingest (lifespan included) until the block ends; waits until it is ready."""
    app = build_app(settings, ports=ports)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=settings.ingest_port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    base_url = f"http://127.0.0.1:{settings.ingest_port}"
    try:
        await wait_ready(base_url, ready_within)
        yield RunningIngest(base_url, settings)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)
