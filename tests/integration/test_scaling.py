"""Acceptance (issue 9, scaling): two of each consuming service (ingest, checker, syncer) reach the same
outcome as one of each, from the same input.

Two demo deployments run side by side, each with its own sandbox, databases, topic prefix and groups,
seeded with the same scenario: one with one replica of each consuming service, one with two. Once both
have settled (no consumer lag, no webhook pending, outcome unchanged), every open price conflict is
approved in both; once those commands are final, the open discrepancies, the commands' final states and
the sandbox writes are compared. Entities are named by their records (entity ids are random).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from infra.demo import DemoConfig, DemoScenario, start_demo, stop_demo
from infra.demo.approve import command_states, open_discrepancies, publish, seen_snapshots, sync_command
from infra.demo.observe import consumer_lag
from infra.processes import Supervisor, free_port

TINY = DemoScenario(customers=12, products=6, orders=12)
Outcome = Counter[tuple[object, ...]]


def deployment(kafka: str, mongo_uri: str, run_dir: Path, name: str, replicas: int) -> DemoConfig:
    return DemoConfig(
        run_dir=run_dir, kafka=kafka, mongo_uri=mongo_uri, database=f"{name}", sandbox_database=f"{name}_sandbox",
        topic_prefix=name, group_suffix=name, sandbox_port=free_port(), ingest_port=free_port(),
        replicas=replicas, more_ingest_ports=tuple(free_port() for _ in range(replicas - 1)), with_dashboard=False,
    )  # fmt: skip


@pytest.fixture
def deployments(
    kafka_bootstrap: str, mongo_uri: str, unique: str, tmp_path: Path
) -> Iterator[list[DemoConfig]]:
    configs = [
        deployment(kafka_bootstrap, mongo_uri, tmp_path / f"x{n}", f"scale{n}_{unique}", n) for n in (1, 2)
    ]
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda config: start_demo(config, TINY), configs))
        yield configs
    finally:
        for config in configs:
            stop_demo(config)
            with MongoClient[dict[str, object]](mongo_uri) as client:
                client.drop_database(config.database)
                client.drop_database(config.sandbox_database)


def test_two_replicas_of_each_consuming_service_reach_the_outcome_of_one(
    deployments: list[DemoConfig],
) -> None:
    one, two = deployments
    assert len(_names(two, "ingest")) == len(_names(two, "checker")) == len(_names(two, "syncer")) == 2
    settled = settle_both(deployments, 240.0)
    assert settled[0] == settled[1], differences(*settled)
    commands = [asyncio.run(approve_price_conflicts(config)) for config in deployments]
    assert commands[0], "the scenario planted no price conflict to approve"
    finals = [wait_final(config, ids, 90.0) for config, ids in zip(deployments, commands, strict=True)]
    assert finals[0] == finals[1], "commands ended differently"
    after = settle_both(deployments, 180.0)
    assert after[0] == after[1], differences(*after)
    assert write_counts(one) == write_counts(two), "the sandboxes were written differently"


def _names(config: DemoConfig, service: str) -> list[str]:
    return [s.name for s in Supervisor(config.run_dir).status() if s.running and s.name.startswith(service)]


def outcome(config: DemoConfig) -> Outcome:
    """Open discrepancies as (records of the entity, dimension, kind, fields), counted."""
    with MongoClient[dict[str, object]](config.mongo_uri) as client:
        database = client[config.database]
        members: dict[object, list[str]] = {}
        for link in database["links"].find({}, {"entity_id": 1}):
            members.setdefault(link["entity_id"], []).append(str(link["_id"]))
        refs = {entity_id: tuple(sorted(keys)) for entity_id, keys in members.items()}
        return Counter(
            (
                refs.get(d["entity_id"]),
                d["document"]["dimension"],
                d["kind"],
                tuple(d["document"]["finding"]["fields"]),
            )
            for d in database["discrepancies"].find({"status": "open"})
        )


STABLE_LOOKS = 8
"""Looks 6 s apart the outcome must hold for: 42 s, more than two of the demo's 15 s poll cycles, so
neither a poll in flight (read, not yet published) nor the next one can still change it."""


def settle(config: DemoConfig, seconds: float) -> Outcome:
    """The outcome once nothing is in flight and it has not changed for ``STABLE_LOOKS`` looks."""
    deadline = time.monotonic() + seconds
    looks: list[Outcome] = []
    while time.monotonic() < deadline:
        pending = httpx.get(f"{config.sandbox_url}/_admin/webhooks/stats", timeout=10).json()["pending"]
        quiet = pending == 0 and asyncio.run(consumer_lag(config)) == 0
        looks = [*looks, outcome(config)][-STABLE_LOOKS:] if quiet else []
        if len(looks) == STABLE_LOOKS and all(look == looks[0] for look in looks):
            return looks[0]
        time.sleep(6.0)
    raise AssertionError(f"{config.topic_prefix} did not settle within {seconds:.0f}s")


def settle_both(deployments: list[DemoConfig], seconds: float) -> list[Outcome]:
    with ThreadPoolExecutor(len(deployments)) as pool:
        return list(pool.map(lambda config: settle(config, seconds), deployments))


def differences(left: Outcome, right: Outcome) -> str:
    return f"only with one replica: {sorted(map(str, left - right))}; only with two: {sorted(map(str, right - left))}"


async def approve_price_conflicts(config: DemoConfig) -> dict[tuple[str, ...], str]:
    """Approve every open, owned price conflict; command ids by the entity's records."""
    approved = {}
    for event_id, discrepancy in open_discrepancies(config, "product_pricing"):
        if discrepancy.finding.verdict.owner is None:
            continue
        snapshots = await seen_snapshots(config, discrepancy)
        command = sync_command(event_id, discrepancy, snapshots, approved_by="scaling-test")
        approved[tuple(sorted(snapshots))] = command.command_id
        await publish(config, [command])
    return approved


def wait_final(
    config: DemoConfig, commands: dict[tuple[str, ...], str], seconds: float
) -> dict[object, object]:
    deadline = time.monotonic() + seconds
    while True:
        states = command_states(config, list(commands.values()))
        if all(state in {"applied", "rejected", "dead"} for state in states.values()):
            return {refs: states[command_id] for refs, command_id in commands.items()}
        if time.monotonic() > deadline:
            raise AssertionError(f"commands not final within {seconds:.0f}s: {states}")
        time.sleep(2.0)


def write_counts(config: DemoConfig) -> dict[str, int]:
    counts: dict[str, int] = httpx.get(f"{config.sandbox_url}/_admin/write-counts", timeout=10).json()[
        "write_counts"
    ]
    return counts
