"""The whole detection path for a benchmark: the sandbox (in this process, its API calls counted) sending
webhooks to ingest, and the checker, both as subprocesses on the run's topics and database.

    async with detection_path(run, checker_env={...}) as path:
        report = await path.seed(customers=40)      # the sandbox's scenario, delivered as webhooks
        await path.settled()                        # every record linked, the check state quiet
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import httpx
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from bench.harness import (
    BenchRun,
    Document,
    RequestCounter,
    connector_env,
    serve_sandbox,
    webhook_secret_env,
)
from tests.support.sandbox import RunningSandbox, free_port

PARTITIONS = 6


@dataclass
class DetectionPath:
    """A running sandbox -> ingest -> checker deployment and a client for each of its ends."""

    run: BenchRun
    sandbox: RunningSandbox
    counter: RequestCounter
    http: httpx.AsyncClient
    database: AsyncDatabase[Document]

    async def seed(self, customers: int, *, seed: int = 7) -> dict[str, object]:
        """The sandbox scenario with ``customers`` customers, no products/orders, no drift, webhooks on
        (NetSuite's through the SuiteScript-style callouts: ingest does not poll here)."""
        config = {"netsuite_callouts": True}
        (
            await self.http.put(f"{self.sandbox.base_url}/_admin/webhooks/config", json=config)
        ).raise_for_status()
        body = {"customers": customers, "products": 0, "orders": 0, "drift": 0.0, "emit": True, "seed": seed}
        response = await self.http.post(f"{self.sandbox.base_url}/_admin/scenario", json=body, timeout=120)
        response.raise_for_status()
        report: dict[str, object] = response.json()
        return report

    async def edit(self, system: str, object_type: str, record_id: str, changes: dict[str, object]) -> None:
        """An upstream change that emits the platform's webhook."""
        body = {
            "system": system,
            "object_type": object_type,
            "id": record_id,
            "changes": changes,
            "emit": True,
        }
        (await self.http.post(f"{self.sandbox.base_url}/_admin/edit", json=body)).raise_for_status()

    async def settled(self, records: int, *, seconds: float = 300.0) -> dict[str, int]:
        """Until the checker stored a snapshot of ``records`` platform records and its links and check
        state stopped changing (three polls a second apart); their counts."""
        quiet, last = 0, {}
        async with asyncio.timeout(seconds):
            while quiet < 3:
                await asyncio.sleep(1.0)
                counts = {
                    name: await self.database[name].count_documents({})
                    for name in ("snapshots", "links", "check_state")
                }
                stable = counts == last and counts["snapshots"] >= records and counts["check_state"] > 0
                quiet, last = (quiet + 1 if stable else 0), counts
        return last


@contextlib.asynccontextmanager
async def detection_path(
    run: BenchRun, *, checker_env: Mapping[str, str] | None = None
) -> AsyncIterator[DetectionPath]:
    """Sandbox, ingest (polling off) and checker up and ready; everything stopped afterwards."""
    ingest_port = free_port()
    ingest_url = f"http://127.0.0.1:{ingest_port}"
    with serve_sandbox(run, webhook_target_url=ingest_url) as (sandbox, counter):
        run.start("ingest", "services.ingest", _ingest_env(run, sandbox, ingest_port))
        run.start("checker", "services.checker", _checker_env(run, checker_env or {}))
        client: AsyncMongoClient[Document] = AsyncMongoClient(run.mongo_uri, tz_aware=True)
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                await _wait_ready(run, http, f"{ingest_url}/readyz")
                await run.wait_log("checker", "checker_started")
                yield DetectionPath(run, sandbox, counter, http, client[run.database])
        finally:
            run.stop_processes()
            await client.close()


def _ingest_env(run: BenchRun, sandbox: RunningSandbox, port: int) -> dict[str, str]:
    return run.service_env(
        "ingest",
        **webhook_secret_env(sandbox),
        **connector_env(sandbox),
        CONCORD_INGEST_PORT=str(port),
        CONCORD_POLLING__ENABLED="false",
        CONCORD_TOPIC_PARTITIONS=str(PARTITIONS),
        CONCORD_REPLICA_ID=f"ingest-{run.tag}",
    )


def _checker_env(run: BenchRun, extra: Mapping[str, str]) -> dict[str, str]:
    return run.service_env(
        "checker",
        CONCORD_GROUP_ID=f"{run.prefix}-checker",
        CONCORD_INSTANCE_ID=f"checker-{run.tag}",
        CONCORD_TOPIC_PARTITIONS=str(PARTITIONS),
        **{"CONCORD_PULSE__ENABLED": "false", **extra},
    )


async def _wait_ready(run: BenchRun, http: httpx.AsyncClient, url: str, seconds: float = 90.0) -> None:
    async with asyncio.timeout(seconds):
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(url)).status_code == 200:
                    return
            if run.processes["ingest"].poll() is not None:
                raise RuntimeError(f"ingest exited during start-up; see {run.logs / 'ingest.log'}")
            await asyncio.sleep(0.3)
