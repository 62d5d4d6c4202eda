"""The system under test: the demo's sandbox, ingest, checker and syncer (``infra.demo.config`` specs, no
dashboard) on the chaos run's own infra, started through ``infra.processes.Supervisor``.

Two settings differ from the demo, both so that a run fits in CI time: the pollers run every few seconds
(a change made without a webhook is found by polling; the demo's five-minute HubSpot backstop would make
the drain wait five minutes), and the scenario is small.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import httpx

from chaos.infra import listening_ports
from infra.demo.config import DemoConfig, sandbox_spec, service_specs
from infra.demo.session import DemoScenario
from infra.processes import ProcessFailed, ServiceSpec, Supervisor

READY_TIMEOUT_S = 180.0
# Every cycle re-reads the overlap window before the latest modification it saw, even when nothing changed
# since, so short intervals with the default two-minute overlap flood the checker with re-observations of
# unchanged records; the sandbox's records are visible the moment they change, so 5 seconds is plenty.
POLL_ENV = {
    "CONCORD_POLLING__SHOPIFY_INTERVAL_SECONDS": "15",
    "CONCORD_POLLING__NETSUITE_INTERVAL_SECONDS": "15",
    "CONCORD_POLLING__HUBSPOT_INTERVAL_SECONDS": "30",
    "CONCORD_POLLING__OVERLAP_SECONDS": "5",
    "CONCORD_POLLING__RETRY_SECONDS": "2",
    # A SIGKILLed ingest's restart has a new replica name: it takes the cursors over when the dead
    # one's leases lapse (within two TTLs), so the TTL is short here.
    "CONCORD_POLLING__LEASE_TTL_SECONDS": "20",
}
SCENARIO = DemoScenario(customers=60, products=15, orders=40, drift=0.2, seed=11)
SERVICES = ("ingest-1", "checker-1", "syncer-1")


def chaos_config(run_dir: Path, kafka: str, mongo_uri: str) -> DemoConfig:
    """One deployment with its own topic prefix, databases and free ports (outside the ephemeral range:
    ingest restarts while the sandbox keeps calling it)."""
    sandbox_port, ingest_port, dashboard_port = listening_ports(3)
    return DemoConfig(
        run_dir=run_dir,
        kafka=kafka,
        mongo_uri=mongo_uri,
        database="concord_chaos",
        sandbox_database="concord_chaos_sandbox",
        topic_prefix="chaos",
        group_suffix="chaos",
        sandbox_port=sandbox_port,
        ingest_port=ingest_port,
        dashboard_port=dashboard_port,
        with_dashboard=False,
    )


def chaos_specs(config: DemoConfig) -> list[ServiceSpec]:
    """Ingest, checker and syncer as the demo runs them, ingest polling every few seconds."""
    return [
        dataclasses.replace(spec, env={**spec.env, **POLL_ENV}) if spec.module == "services.ingest" else spec
        for spec in service_specs(config)
    ]


def start_system(config: DemoConfig) -> tuple[Supervisor, dict[str, object]]:
    """Start the sandbox and the services, wait for readiness, seed the scenario; return its report."""
    supervisor = Supervisor(config.run_dir)
    supervisor.start(sandbox_spec(config), timeout=READY_TIMEOUT_S)
    _put(config, "/_admin/webhooks/config", {"netsuite_callouts": True})
    specs = chaos_specs(config)
    for spec in specs:
        supervisor.start(spec, timeout=None)
    deadline = time.monotonic() + READY_TIMEOUT_S
    for spec in specs:
        supervisor.wait_ready(spec.name, max(1.0, deadline - time.monotonic()))
    response = httpx.post(f"{config.sandbox_url}/_admin/scenario", json=SCENARIO.request(), timeout=600.0)
    if response.status_code != 200:
        raise ProcessFailed(f"seeding the sandbox failed ({response.status_code}): {response.text[:500]}")
    report: dict[str, object] = response.json()
    return supervisor, report


def _put(config: DemoConfig, path: str, body: dict[str, object]) -> None:
    httpx.put(f"{config.sandbox_url}{path}", json=body, timeout=10.0).raise_for_status()
