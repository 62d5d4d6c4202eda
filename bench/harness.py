"""What every benchmark shares: its own topics and databases on the running Kafka and FerretDB, services
as subprocesses with their logs, the sandbox in a thread with a request counter, and the result file.

A :class:`BenchRun` names one run's topic prefix and databases; :meth:`BenchRun.cleanup` deletes the
topics and drops the databases again, whatever happened in between.
"""

import asyncio
import contextlib
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from bench.machine import describe_machine
from services.sandbox.app import build_app
from services.sandbox.settings import SandboxSettings
from shared.adapters.budget import BudgetPolicy
from tests.support.sandbox import RunningSandbox, free_port, wait_until

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
SHARED_MACHINE_NOTE = (
    "measured on a 2-core machine shared with other work (other engineers' tests and services) during "
    "this run: absolute figures are pessimistic and noisy; compare each figure with its same-run baseline"
)
# FerretDB deadlocks with ~100 statements in flight per database: a small pool per process.
SERVICE_MONGO_POOL = "maxPoolSize=4"

Document = dict[str, object]


def infra_env() -> dict[str, str]:
    """The endpoints ``make infra-up`` wrote to ``.run/infra.env``; exits when it has not run."""
    env_file = REPO / ".run" / "infra.env"
    if not env_file.exists():
        sys.exit("run `make infra-up` first (no .run/infra.env)")
    pairs = (line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def with_option(uri: str, option: str) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{option}"


@dataclass
class BenchRun:
    """One benchmark run's own names on the shared servers, and the subprocesses it started."""

    name: str
    kafka: str
    mongo_uri: str
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="concord-bench-")))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @classmethod
    def create(cls, name: str) -> "BenchRun":
        # The producer warns on every retry while a new topic's leaders are elected: noise here.
        logging.getLogger("aiokafka").setLevel(logging.ERROR)
        endpoints = infra_env()
        return cls(name, endpoints["CONCORD_KAFKA_BOOTSTRAP"], endpoints["CONCORD_MONGODB_URI"])

    @property
    def prefix(self) -> str:
        return f"bench{self.tag}"

    @property
    def database(self) -> str:
        return f"bench_{self.name}_{self.tag}"

    @property
    def sandbox_database(self) -> str:
        return f"bench_{self.name}_{self.tag}_sandbox"

    def service_env(self, service: str, **extra: str) -> dict[str, str]:
        """The environment of a service subprocess on this run's topics and database."""
        return {
            **os.environ,
            "CONCORD_SERVICE_NAME": service,
            "CONCORD_KAFKA_BOOTSTRAP": self.kafka,
            "CONCORD_MONGODB_URI": with_option(self.mongo_uri, SERVICE_MONGO_POOL),
            "CONCORD_MONGODB_DATABASE": self.database,
            "CONCORD_TOPIC_PREFIX": self.prefix,
            "CONCORD_LOG_LEVEL": "INFO",
            "CONCORD_LOG_FORMAT": "json",
            **extra,
        }

    def start(self, name: str, module: str, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        """``python -m module`` with its output in ``<logs>/<name>.log``."""
        with (self.logs / f"{name}.log").open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", module],
                cwd=REPO,
                env=dict(env),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.processes[name] = process
        return process

    async def wait_log(self, name: str, marker: str, seconds: float = 90.0) -> None:
        """Until ``marker`` appears in the service's log; raises if it exits or takes too long."""
        log = self.logs / f"{name}.log"
        async with asyncio.timeout(seconds):
            while marker.encode() not in log.read_bytes():
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited during start-up; see {log}")
                await asyncio.sleep(0.1)

    def stop(self, name: str) -> None:
        """SIGTERM one service and wait for it (SIGKILL after 20 s)."""
        process = self.processes.pop(name)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_processes(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    async def cleanup(self) -> None:
        """Stop the subprocesses, delete this run's topics and drop its databases."""
        self.stop_processes()
        admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka)
        await admin.start()
        try:
            topics = [t for t in await admin.list_topics() if t.startswith(self.prefix)]
            if topics:
                await admin.delete_topics(topics)
        finally:
            await admin.close()
        client: AsyncMongoClient[Document] = AsyncMongoClient(self.mongo_uri)
        try:
            for database in await client.list_database_names():
                if database.startswith(self.database):
                    await client.drop_database(database)
        finally:
            await client.close()


class RequestCounter:
    """ASGI middleware counting platform API requests by system (``/_admin`` calls are not counted)."""

    PREFIXES = (("/crm/", "hubspot"), ("/admin/api/", "shopify"), ("/services/rest/", "netsuite"))

    def __init__(self, app: Callable[..., object]) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()

    async def __call__(self, scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] == "http":
            path = str(scope["path"])
            system = next((name for prefix, name in self.PREFIXES if path.startswith(prefix)), None)
            if system is not None:
                self.counts[system] += 1
        await self.app(scope, receive, send)  # type: ignore[operator]  # an ASGI app

    def snapshot(self) -> dict[str, int]:
        return dict(self.counts)


@contextlib.contextmanager
def serve_sandbox(
    run: BenchRun, *, webhook_target_url: str | None
) -> Iterator[tuple[RunningSandbox, RequestCounter]]:
    """The sandbox on the run's sandbox database, served by uvicorn in a thread, its API calls counted."""

    port = free_port()
    settings = SandboxSettings.model_validate(
        {
            "mongodb_uri": SecretStr(with_option(run.mongo_uri, SERVICE_MONGO_POOL)),
            "mongodb_database": run.sandbox_database,
            "sandbox_port": port,
            "webhook_target_url": webhook_target_url,
            "log_level": "WARNING",
        }
    )
    counter = RequestCounter(build_app(settings))
    config = uvicorn.Config(counter, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30.0, "the sandbox to start")
        yield RunningSandbox(f"http://127.0.0.1:{port}", settings), counter
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def connector_env(sandbox: RunningSandbox) -> dict[str, str]:
    """``CONCORD_{HUBSPOT,SHOPIFY,NETSUITE}__*`` pointing a service's connectors at the sandbox."""
    s, url = sandbox.settings, sandbox.base_url
    return {
        "CONCORD_HUBSPOT__BASE_URL": url,
        "CONCORD_HUBSPOT__PORTAL_ID": str(s.hubspot_portal_id),
        "CONCORD_HUBSPOT__TOKEN": s.hubspot_token.get_secret_value(),
        "CONCORD_SHOPIFY__SHOP": s.shopify_shop,
        "CONCORD_SHOPIFY__BASE_URL": url,
        "CONCORD_SHOPIFY__ACCESS_TOKEN": s.shopify_access_token.get_secret_value(),
        "CONCORD_NETSUITE__ACCOUNT_ID": s.netsuite_account_id,
        "CONCORD_NETSUITE__BASE_URL": url,
        "CONCORD_NETSUITE__CONSUMER_KEY": s.netsuite_consumer_key.get_secret_value(),
        "CONCORD_NETSUITE__CONSUMER_SECRET": s.netsuite_consumer_secret.get_secret_value(),
        "CONCORD_NETSUITE__TOKEN_ID": s.netsuite_token_id.get_secret_value(),
        "CONCORD_NETSUITE__TOKEN_SECRET": s.netsuite_token_secret.get_secret_value(),
    }


class SandboxAccounts:
    """``PlatformAccounts`` of connectors in the benchmark's own process: the sandbox's three accounts,
    the default API budget."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.hubspot, self.shopify, self.netsuite = sandbox.hubspot(), sandbox.shopify(), sandbox.netsuite()
        self.budget = BudgetPolicy()


def webhook_secret_env(sandbox: RunningSandbox) -> dict[str, str]:
    """The secrets ingest verifies with: the ones the sandbox signs with."""
    s = sandbox.settings
    return {
        "CONCORD_HUBSPOT_CLIENT_SECRET": s.hubspot_client_secret.get_secret_value(),
        "CONCORD_SHOPIFY_API_SECRET": s.shopify_api_secret.get_secret_value(),
        "CONCORD_NETSUITE_CALLOUT_SECRET": s.netsuite_callout_secret.get_secret_value(),
    }


def summary(values: list[float], *, scale: float = 1.0, digits: int = 2) -> dict[str, float | int]:
    """n, mean, min, p50, p90, p99 and max of ``values`` times ``scale``."""
    ordered = sorted(v * scale for v in values)
    if len(ordered) < 2:
        only = round(ordered[0], digits) if ordered else 0.0
        return {
            "n": len(ordered),
            "mean": only,
            "min": only,
            "p50": only,
            "p90": only,
            "p99": only,
            "max": only,
        }
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "n": len(ordered),
        "mean": round(statistics.fmean(ordered), digits),
        "min": round(ordered[0], digits),
        "p50": round(cuts[49], digits),
        "p90": round(cuts[89], digits),
        "p99": round(cuts[98], digits),
        "max": round(ordered[-1], digits),
    }


def kafka_version() -> str | None:
    found = re.search(r"<kafka\.version>([^<]+)<", (REPO / "infra/kafka/pom.xml").read_text())
    return found.group(1) if found else None


async def ferretdb_version(mongo_uri: str) -> str | None:
    """What the MongoDB-protocol server says it is (FerretDB reports ``ferretdbVersion``)."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri)
    try:
        info = await client.admin.command("buildInfo")
    finally:
        await client.close()
    return str(info.get("ferretdbVersion") or f"mongodb {info.get('version')}")


async def environment(run: BenchRun) -> dict[str, object]:
    """The machine, the versions (Python, packages, Kafka, FerretDB) and the shared-machine note."""
    machine = describe_machine(kafka_version())
    machine["ferretdb"] = await ferretdb_version(run.mongo_uri)
    machine["shared_with_other_work"] = True
    machine["note"] = SHARED_MACHINE_NOTE
    return machine


def write_result(name: str, result: Mapping[str, object]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path


def elapsed_since(started: float) -> float:
    return time.perf_counter() - started
