"""Acceptance (issue 9): the demo's start path brings up a working system, headless.

Runs the code ``make demo`` runs (``infra.demo.start_demo``) on free ports, its own run dir, topic prefix
and databases; waits for readiness; checks that discrepancies of every kind appear; approves one sync by
publishing a ``SyncCommand`` as the dashboard does, and sees its discrepancy resolved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from argon2 import PasswordHasher
from pymongo import MongoClient

from infra.demo import DemoConfig, DemoScenario, DemoSession, start_demo, stop_demo
from infra.demo.approve import command_states, open_discrepancies, publish, seen_snapshots, sync_command
from infra.demo.observe import KINDS, discrepancy_counts
from infra.processes import free_port
from services.dashboard.settings import DashboardSettings
from shared.core.discrepancy import Discrepancy

pytestmark = pytest.mark.e2e

T = TypeVar("T")
SMALL = DemoScenario(customers=20, products=8, orders=25)


def eventually(probe: Callable[[], T | None], seconds: float, what: Callable[[], str]) -> T:
    deadline = time.monotonic() + seconds
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what()}")
        time.sleep(2.0)
    return value


@pytest.fixture
def demo(kafka_bootstrap: str, mongo_uri: str, unique: str, tmp_path: Path) -> Iterator[DemoSession]:
    config = DemoConfig(
        run_dir=tmp_path / "run", kafka=kafka_bootstrap, mongo_uri=mongo_uri,
        database=f"e2e_{unique}", sandbox_database=f"e2e_{unique}_sandbox", topic_prefix=f"e2e{unique}",
        group_suffix=unique, sandbox_port=free_port(), ingest_port=free_port(), dashboard_port=free_port(),
    )  # fmt: skip
    try:
        yield start_demo(config, SMALL)
    finally:
        stop_demo(config)
        with MongoClient[dict[str, object]](mongo_uri) as client:
            client.drop_database(config.database)
            client.drop_database(config.sandbox_database)


def test_demo_finds_every_kind_and_an_approved_sync_resolves_its_discrepancy(demo: DemoSession) -> None:
    config = demo.config
    assert [s.name for s in demo.supervisor.status() if not s.running] == []
    user = DashboardSettings(dashboard_users_file=config.users_file).users()[demo.username]
    assert PasswordHasher().verify(user.password_hash.get_secret_value(), demo.password)
    assert user.role == "operator"

    def every_kind() -> dict[str, int] | None:
        counts = discrepancy_counts(config, status=None)
        return counts if all(counts[kind] for kind in KINDS) else None

    eventually(every_kind, 180.0, lambda: f"every kind ({discrepancy_counts(config, status=None)})")
    event_id, chosen = eventually(lambda: _price_conflict(config), 120.0, lambda: "an open price conflict")
    command = sync_command(
        event_id, chosen, asyncio.run(seen_snapshots(config, chosen)), approved_by=demo.username
    )
    asyncio.run(publish(config, [command]))

    def resolved() -> bool:
        return _status(config, chosen.id) == "resolved"

    eventually(
        resolved, 150.0, lambda: f"{chosen.id} resolved ({command_states(config, [command.command_id])})"
    )
    assert command_states(config, [command.command_id])[command.command_id] == "applied"


def _price_conflict(config: DemoConfig) -> tuple[str, Discrepancy] | None:
    """An open product price discrepancy with an owner (NetSuite), so applying the policy settles it."""
    owned = [(i, d) for i, d in open_discrepancies(config, "product_pricing") if d.finding.verdict.owner]
    return owned[0] if owned else None


def _status(config: DemoConfig, episode_id: str) -> object:
    with MongoClient[dict[str, object]](config.mongo_uri) as client:
        document = client[config.database]["discrepancies"].find_one({"_id": episode_id}, {"status": 1})
    return None if document is None else document.get("status")
