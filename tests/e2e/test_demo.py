"""Acceptance (issue 9): the demo's start path brings up a working system, headless.

Runs the code ``make demo`` runs (``infra.demo.start_demo``) on free ports, its own run dir, topic prefix
and databases; waits for readiness; checks that discrepancies of every kind appear; approves one sync by
publishing a ``SyncCommand`` as the dashboard does, and sees its discrepancy resolved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from pymongo import MongoClient

from infra.demo import DemoConfig, DemoScenario, DemoSession
from infra.demo.approve import command_states, open_discrepancies, publish, seen_snapshots, sync_command
from infra.demo.observe import KINDS, discrepancy_counts
from services.dashboard.settings import DashboardSettings
from shared.core.discrepancy import Discrepancy
from shared.core.model import System
from tests.e2e.deployment import eventually, running_demo

pytestmark = pytest.mark.e2e

SMALL = DemoScenario(customers=20, products=8, orders=25)


@pytest.fixture
def demo(kafka_bootstrap: str, mongo_uri: str, unique: str, tmp_path: Path) -> Iterator[DemoSession]:
    with running_demo(
        SMALL, kafka=kafka_bootstrap, mongo_uri=mongo_uri, name=f"e2e_{unique}", run_dir=tmp_path / "run"
    ) as session:
        yield session


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
    planted = _planted_price_records(demo.report)
    assert planted, "the scenario planted no silent price drift"
    event_id, chosen = eventually(
        lambda: _price_conflict(config, planted), 120.0, lambda: f"an open price conflict on {planted}"
    )
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


def _planted_price_records(report: dict[str, object]) -> set[str]:
    """NetSuite item ids whose price the scenario changed out of band: drift that stays until synced.

    A re-price the scenario makes everywhere (NetSuite first) also opens a price discrepancy for the
    moment the platforms disagree (the demo's price grace is 0), but that one resolves by itself, and
    a sync approved against it is rightly rejected once the records move on.
    """
    drift = report.get("drift")
    planted = [d for d in drift if isinstance(d, dict)] if isinstance(drift, list) else []
    return {str(d["record_id"]) for d in planted if d.get("object_type") == "inventoryItem"}


def _price_conflict(config: DemoConfig, planted: set[str]) -> tuple[str, Discrepancy] | None:
    """The open price discrepancy of a planted record, with an owner (NetSuite) so the policy settles it."""
    for event_id, discrepancy in open_discrepancies(config, "product_pricing"):
        netsuite = {
            v.ref.external_id for v in discrepancy.finding.values if v.ref and v.system is System.NETSUITE
        }
        if discrepancy.finding.verdict.owner and netsuite & planted:
            return event_id, discrepancy
    return None


def _status(config: DemoConfig, episode_id: str) -> object:
    with MongoClient[dict[str, object]](config.mongo_uri) as client:
        document = client[config.database]["discrepancies"].find_one({"_id": episode_id}, {"status": 1})
    return None if document is None else document.get("status")
