"""Webhook ingest throughput and latency, beside a bare endpoint on the same server stack.

    python -m bench.webhook_ingest [--requests 3000] [--concurrency 32]

Both servers run as separate uvicorn processes on loopback; the load comes from this process
(httpx, a fixed number of requests, a fixed concurrency). Ingest is the real service against the
real Kafka broker and MongoDB-protocol server of ``make infra-up``: each request is a signed
HubSpot delivery of one event, answered only after Kafka acknowledged it. Writes
``bench/results/webhook_ingest.json``.
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.harness import BenchRun, environment
from tests.support.webhooks import (
    HUBSPOT_SECRET,
    NETSUITE_SECRET,
    SHOPIFY_SECRET,
    as_body,
    hubspot_events,
    hubspot_headers,
)

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def infra_env() -> dict[str, str]:
    env_file = REPO / ".run" / "infra.env"
    if not env_file.exists():
        sys.exit("run `make infra-up` first (no .run/infra.env)")
    return dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)


def start_server(argv: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code in {200, 404}:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"server on port {port} did not start: {' '.join(argv)}")


async def wait_ready(port: int) -> None:
    async with httpx.AsyncClient() as client:
        async with asyncio.timeout(90):
            while (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code != 200:
                await asyncio.sleep(0.3)


async def load(
    url: str, requests: int, concurrency: int, make: Callable[[int], tuple[bytes, dict[str, str]]]
) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal failures
            for index in counter:
                body, headers = make(index)
                started = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                except httpx.TransportError:  # a dropped connection under load is a failure, not the end
                    failures += 1
                    continue
                latencies.append(time.perf_counter() - started)
                failures += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests": requests,
        "failures": failures,
        "requests_per_second": round(requests / elapsed, 1),
        "p50_ms": round(quantiles[49] * 1000, 2),
        "p99_ms": round(quantiles[98] * 1000, 2),
    }


def signed_delivery(url: str) -> Callable[[int], tuple[bytes, dict[str, str]]]:
    run = uuid.uuid4().int % 1_000_000

    def make(index: int) -> tuple[bytes, dict[str, str]]:
        body = as_body(
            hubspot_events(1, first_object_id=1000 + index % 500, event_base=run * 100_000 + index)
        )
        return body, hubspot_headers(body, url)

    return make


async def main(requests: int, concurrency: int) -> dict[str, object]:
    run = BenchRun.create("ingest")
    try:
        return await _measure(run, requests, concurrency)
    finally:
        await run.cleanup()


async def _measure(run: BenchRun, requests: int, concurrency: int) -> dict[str, object]:
    ingest_port, bare_port = free_port(), free_port()
    env = {
        **os.environ,
        **infra_env(),
        "CONCORD_TOPIC_PREFIX": run.prefix,
        "CONCORD_MONGODB_DATABASE": run.database,
        "CONCORD_INGEST_PORT": str(ingest_port),
        "CONCORD_HUBSPOT_CLIENT_SECRET": HUBSPOT_SECRET,
        "CONCORD_SHOPIFY_API_SECRET": SHOPIFY_SECRET,
        "CONCORD_NETSUITE_CALLOUT_SECRET": NETSUITE_SECRET,
        "CONCORD_POLLING__ENABLED": "false",
        "CONCORD_LOG_LEVEL": "WARNING",
    }
    uvicorn_flags = ["--log-level", "warning", "--no-access-log"]
    bare = start_server(
        [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(bare_port), *uvicorn_flags],
        env,
        bare_port,
    )
    ingest = start_server([sys.executable, "-m", "services.ingest"], env, ingest_port)
    try:
        await wait_ready(ingest_port)
        bare_url = f"http://127.0.0.1:{bare_port}/webhooks/hubspot"
        ingest_url = f"http://127.0.0.1:{ingest_port}/webhooks/hubspot"
        await load(ingest_url, min(200, requests), concurrency, signed_delivery(ingest_url))  # warm-up
        baseline = await load(bare_url, requests, concurrency, signed_delivery(bare_url))
        measured = await load(ingest_url, requests, concurrency, signed_delivery(ingest_url))
    finally:
        for process in (ingest, bare):
            process.terminate()
            process.wait(timeout=30)
    return {
        "benchmark": "webhook_ingest",
        "description": "signed HubSpot deliveries of one event; ingest answers after Kafka (acks=all) took them",
        "load": {"requests": requests, "concurrency": concurrency, "client": "httpx, same machine"},
        "ingest": measured,
        "baseline_bare_endpoint": baseline,
        "ingest_vs_baseline_throughput": round(
            measured["requests_per_second"] / baseline["requests_per_second"], 3
        ),
        "machine": await environment(run),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    result = asyncio.run(main(args.requests, args.concurrency))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "webhook_ingest.json").write_text(json.dumps(result, indent=2) + "\n")
    print(RESULTS / "webhook_ingest.json")
