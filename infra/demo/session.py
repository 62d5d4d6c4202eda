"""Start and stop a whole demo deployment: the same code path ``make demo`` / ``make down`` and the e2e and
scaling tests run.

``start_demo(config, scenario)`` starts the sandbox, points its webhooks at ingest (NetSuite callouts on),
starts ingest, checker, syncer (``config.replicas`` of each) and the dashboard, waits until every one is
ready, then seeds the sandbox with ``scenario`` and returns the sandbox's ground-truth report. The demo
operator's sign-in is written to ``config.users_file`` (argon2 hash) beforehand. ``stop_demo(run_dir)``
stops every service the run dir knows (not Kafka or FerretDB).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from pymongo import MongoClient

from infra.demo.config import DemoConfig, sandbox_spec, service_specs
from infra.processes import ProcessFailed, Supervisor

DEMO_USER = "operator"
READY_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class DemoScenario:
    """The sandbox scenario the demo seeds (see ``services.sandbox.scenario_model.ScenarioConfig``)."""

    customers: int = 80
    products: int = 30
    orders: int = 100
    drift: float = 0.3
    seed: int = 7

    def request(self) -> dict[str, object]:
        return {
            "customers": self.customers, "products": self.products, "orders": self.orders,
            "drift": self.drift, "seed": self.seed, "reset": True,
        }  # fmt: skip


@dataclass(frozen=True)
class DemoSession:
    """A started demo: its config, supervisor, the operator's sign-in and the scenario's report."""

    config: DemoConfig
    supervisor: Supervisor
    username: str
    password: str
    report: dict[str, object]


def write_users_file(users: Path, *, mode: int = 0o600) -> str:
    """Write the dashboard's users TOML with one operator and a fresh password; return the password."""
    password = secrets.token_urlsafe(12)
    password_hash = PasswordHasher().hash(password)
    users.parent.mkdir(parents=True, exist_ok=True)
    users.write_text(
        f'[[users]]\nname = "{DEMO_USER}"\nrole = "operator"\npassword_hash = "{password_hash}"\n'
    )
    users.chmod(mode)
    return password


def drop_databases(config: DemoConfig) -> None:
    """Start from empty state: the demo's own two databases (never any other) are dropped."""
    with MongoClient[dict[str, object]](config.mongo_uri, serverSelectionTimeoutMS=5000) as client:
        client.drop_database(config.database)
        client.drop_database(config.sandbox_database)


def start_demo(config: DemoConfig, scenario: DemoScenario | None = None) -> DemoSession:
    """Start everything, wait for readiness, seed ``scenario`` (default ``DemoScenario()``).

    On any failure the services started so far are stopped and the error is raised.
    """
    supervisor = Supervisor(config.run_dir)
    supervisor.stop_all()
    try:
        drop_databases(config)
        password = write_users_file(config.users_file)
        supervisor.start(sandbox_spec(config), timeout=READY_TIMEOUT_S)
        configure_webhooks(config.sandbox_url)
        _start_services(supervisor, config)
        report = seed_sandbox(config.sandbox_url, scenario or DemoScenario())
        (config.run_dir / "demo-scenario.json").write_text(json.dumps(report, indent=2))
    except BaseException:
        supervisor.stop_all()
        raise
    return DemoSession(config, supervisor, DEMO_USER, password, report)


def stop_demo(config: DemoConfig) -> list[str]:
    """Stop every service of ``config.run_dir``; returns their names."""
    return Supervisor(config.run_dir).stop_all()


def _start_services(supervisor: Supervisor, config: DemoConfig) -> None:
    # Start all, then wait for each: their start-ups overlap instead of queueing.
    specs = service_specs(config)
    for spec in specs:
        supervisor.start(spec, timeout=None)
    deadline = time.monotonic() + READY_TIMEOUT_S
    for spec in specs:
        supervisor.wait_ready(spec.name, max(1.0, deadline - time.monotonic()))


def configure_webhooks(sandbox_url: str) -> None:
    """Turn on the SuiteScript-style NetSuite callouts (HubSpot and Shopify webhooks are on already)."""
    response = httpx.put(
        f"{sandbox_url}/_admin/webhooks/config", json={"netsuite_callouts": True}, timeout=10.0
    )
    response.raise_for_status()


def seed_sandbox(sandbox_url: str, scenario: DemoScenario) -> dict[str, object]:
    """Reset the sandbox and run ``scenario`` in it; returns the sandbox's ground-truth report."""
    response = httpx.post(f"{sandbox_url}/_admin/scenario", json=scenario.request(), timeout=900.0)
    if response.status_code != 200:
        raise ProcessFailed(f"seeding the sandbox failed ({response.status_code}): {response.text[:500]}")
    report: dict[str, object] = response.json()
    return report
