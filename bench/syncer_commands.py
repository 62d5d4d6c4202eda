"""SyncCommands applied per second against the sandbox, beside the same writes made directly with the
connector (no Kafka, no state machine, no audit).

    python -m bench.syncer_commands [--commands 40]

The sandbox (this process, API requests counted) holds ``2 x commands`` customer pairs: a HubSpot
contact with a new email and a NetSuite customer with the old one. For the first half, one approved
``OneDirectionSync`` (HubSpot -> NetSuite, email) each, built as the dashboard builds them (with what the
approver saw), is published to the syncer's topic while ``python -m services.syncer`` runs; the time is
taken from the publish until every command's record in MongoDB is final (precondition read, audited
write, read-back request, result published). Baseline, same run, same sandbox: the NetSuite
connector's ``update`` of the same email on the second half's customers, one after another. Writes
``bench/results/syncer_commands.json``.
"""

import argparse
import asyncio
import time
from collections import Counter
from datetime import UTC, datetime

import httpx
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from bench.harness import (
    BenchRun,
    Document,
    RequestCounter,
    SandboxAccounts,
    connector_env,
    environment,
    serve_sandbox,
    summary,
    write_result,
)
from services.syncer.platforms import ConnectorPlatforms
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.platforms.clients import PlatformClients
from shared.adapters.settings import ServiceSettings
from shared.core.events import OneDirectionSync, SeenRecord, SyncCommand
from shared.core.mapping import MappingContext
from shared.core.model import EntityType, ExternalRef, System
from shared.core.sync import image_of
from tests.integration.syncer.support import command
from tests.support.sandbox import RunningSandbox

PARTITIONS = 6
FINAL = ("applied", "rejected", "dead")
EMAIL = frozenset({"email"})


async def create_pairs(
    sandbox: RunningSandbox, count: int, tag: str
) -> list[tuple[ExternalRef, ExternalRef, str]]:
    """``count`` (HubSpot contact, NetSuite customer, new email) pairs that disagree on the email."""
    pairs = []
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=30) as http:
        for index in range(count):
            new, old = f"new{index}.{tag}@bench.example", f"old{index}.{tag}@bench.example"
            contact = {"properties": {"email": new, "firstname": f"Ada{index}", "lastname": "Bench"}}
            customer = {"email": old, "firstName": f"Ada{index}", "lastName": "Bench", "isPerson": True}
            hubspot = await http.post("/_admin/records/hubspot/contacts", json={"record": contact})
            netsuite = await http.post("/_admin/records/netsuite/customer", json={"record": customer})
            pairs.append((
                ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id=str(hubspot.json()["id"])),
                ExternalRef(system=System.NETSUITE, object_type="customer", external_id=str(netsuite.json()["id"])),
                new,
            ))  # fmt: skip
    return pairs


async def approved_commands(
    reader: ConnectorPlatforms, pairs: list[tuple[ExternalRef, ExternalRef, str]], tag: str
) -> list[SyncCommand]:
    """One HubSpot -> NetSuite email sync per pair, carrying what the approver saw of both records."""
    commands = []
    for index, (hubspot, netsuite, _) in enumerate(pairs):
        snapshots = await reader.read([hubspot, netsuite], EntityType.CUSTOMER)
        seen = tuple(
            SeenRecord(ref=s.ref, source_version=s.source_version, values=image_of(s.values, EMAIL))
            for s in sorted(snapshots, key=lambda s: s.ref.system != System.HUBSPOT)
        )
        action = OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",))
        commands.append(command(action, seen, entity=f"ent_bench_{tag}_{index}"))
    return commands


async def publish(run: BenchRun, commands: list[SyncCommand]) -> None:
    broker = build_broker(ServiceSettings(kafka_bootstrap=run.kafka, service_name="bench"))
    async with broker:
        await broker.connect()
        await KafkaMessagePublisher(broker, prefix=run.prefix).publish_all(list(commands))


async def until_final(run: BenchRun, count: int, seconds: float = 300.0) -> Counter[str]:
    """Until ``count`` command records are final; the states they ended in."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(run.mongo_uri)
    try:
        async with asyncio.timeout(seconds):
            while True:
                states: Counter[str] = Counter()
                async for document in client[run.database]["sync_commands"].find({}, {"record.state": 1}):
                    states[str(document["record"]["state"])] += 1  # type: ignore[index]
                if sum(states[s] for s in FINAL) >= count:
                    return states
                await asyncio.sleep(0.2)
    finally:
        await client.close()


async def syncer_run(
    run: BenchRun, sandbox: RunningSandbox, counter: RequestCounter, commands: list[SyncCommand]
) -> dict[str, object]:
    env = run.service_env(
        "syncer", **connector_env(sandbox), CONCORD_GROUP_ID=f"{run.prefix}-syncer",
        CONCORD_TOPIC_PARTITIONS=str(PARTITIONS),
    )  # fmt: skip
    run.start("syncer", "services.syncer", env)
    await run.wait_log("syncer", "syncer_started")
    await run.wait_log("syncer", "assigned to partitions")  # joined its group: the clock measures work
    before = counter.snapshot()
    started = time.perf_counter()
    await publish(run, commands)
    states = await until_final(run, len(commands))
    seconds = time.perf_counter() - started
    run.stop("syncer")
    spent = {k: v - before.get(k, 0) for k, v in counter.snapshot().items()}
    return {
        "commands": len(commands),
        "states": dict(states),
        "seconds": round(seconds, 3),
        "commands_per_second": round(len(commands) / seconds, 2),
        "api_requests": spent,
        "api_requests_per_command": round(sum(spent.values()) / len(commands), 2),
    }


async def direct_writes(
    clients: PlatformClients, counter: RequestCounter, pairs: list[tuple[ExternalRef, ExternalRef, str]]
) -> dict[str, object]:
    connector = clients.connectors[System.NETSUITE]
    before = counter.snapshot()
    latencies = []
    started = time.perf_counter()
    for _, netsuite, email in pairs:
        write_started = time.perf_counter()
        await connector.update(EntityType.CUSTOMER, netsuite.external_id, {"email": email}, tag="bench")
        latencies.append(time.perf_counter() - write_started)
    seconds = time.perf_counter() - started
    spent = {k: v - before.get(k, 0) for k, v in counter.snapshot().items()}
    return {
        "writes": len(pairs),
        "seconds": round(seconds, 3),
        "writes_per_second": round(len(pairs) / seconds, 2),
        "api_requests": spent,
        "api_requests_per_write": round(sum(spent.values()) / len(pairs), 2),
        "write_latency_ms": summary(latencies, scale=1000),
    }


async def main(count: int) -> dict[str, object]:
    run = BenchRun.create("syncer")
    mongo: AsyncMongoClient[Document] = AsyncMongoClient(run.mongo_uri, tz_aware=True)
    try:
        await ensure_topics(run.kafka, run.prefix, partitions=PARTITIONS)
        with serve_sandbox(run, webhook_target_url=None) as (sandbox, counter):
            accounts = SandboxAccounts(sandbox)
            clients = PlatformClients(accounts, mongo[f"{run.database}_bench"], CollectorRegistry())
            try:
                context = MappingContext(default_phone_region="US", default_currency="USD")
                reader = ConnectorPlatforms(clients.connectors, context, lambda: datetime.now(UTC))
                pairs = await create_pairs(sandbox, 2 * count, run.tag)
                commands = await approved_commands(reader, pairs[:count], run.tag)
                measured = await syncer_run(run, sandbox, counter, commands)
                baseline = await direct_writes(clients, counter, pairs[count:])
            finally:
                await clients.close()
        machine = await environment(run)
    finally:
        await mongo.close()
        await run.cleanup()
    return {
        "benchmark": "syncer_commands",
        "description": "approved OneDirectionSync commands (HubSpot -> NetSuite email) applied by the syncer "
        "against the sandbox; baseline: the NetSuite connector's update of the same field, one at a time",
        "load": {"commands": count, "partitions": PARTITIONS, "syncer_instances": 1},
        "syncer": measured,
        "baseline_direct_connector_writes": baseline,
        "syncer_vs_baseline_rate": round(
            float(measured["commands_per_second"]) / float(baseline["writes_per_second"]),
            4,  # type: ignore[arg-type]
        ),
        "machine": machine,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=40)
    args = parser.parse_args()
    result = asyncio.run(main(args.commands))
    print(write_result("syncer_commands", result))
