"""Detection latency: an upstream change -> the discrepancy stored in MongoDB, p50/p99 at a stated load,
beside the webhook -> Kafka raw-topic latency of the same changes in the same run.

    python -m bench.detection_latency [--customers 40] [--rate 2] [--seconds 15]

The sandbox (this process) seeds ``customers`` customers in HubSpot, Shopify and NetSuite and sends
their webhooks to ingest; the checker links them. Then, at ``rate`` changes per second, each change
edits one HubSpot contact's email through the sandbox's admin API with ``emit`` on (the sandbox
delivers a signed HubSpot webhook, as HubSpot would). The path measured: sandbox webhook -> ingest
(verify, raw topic) -> hydration (HubSpot batch read from the sandbox) -> observation -> link ->
EntityChanged -> evaluate -> the discrepancy document in MongoDB that carries the new email, found by
polling every ``POLL_SECONDS`` (its resolution). The baseline: from the same edit to the raw
notification's Kafka record timestamp (the moment ingest produced it). Writes
``bench/results/detection_latency.json``.
"""

import argparse
import asyncio
import json
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.deployment import PARTITIONS, DetectionPath, detection_path
from bench.harness import BenchRun, environment, summary, write_result
from shared.core.events import RawNotificationReceived, parse_message, topic_for

POLL_SECONDS = 0.1


class RawTopicWatch:
    """When (Kafka record timestamp, epoch seconds) each HubSpot contact's raw notifications arrived."""

    def __init__(self, kafka: str, topic: str) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=kafka, enable_auto_commit=False, fetch_max_wait_ms=50
        )
        self._topic = topic
        self.arrivals: dict[str, list[float]] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """From the topic's current end: only what is produced from now on."""
        await self._consumer.start()
        partitions = [TopicPartition(self._topic, p) for p in range(PARTITIONS)]
        self._consumer.assign(partitions)
        await self._consumer.seek_to_end(*partitions)
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        while True:
            for records in (await self._consumer.getmany(timeout_ms=100)).values():
                for record in records:
                    message = parse_message(record.value or b"")
                    if isinstance(message, RawNotificationReceived) and message.ref is not None:
                        self.arrivals.setdefault(message.ref.external_id, []).append(record.timestamp / 1000)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._consumer.stop()


async def stored_emails(path: DetectionPath) -> set[str]:
    """Every value any stored discrepancy's finding carries."""
    found: set[str] = set()
    cursor = path.database["discrepancies"].find({}, {"document.finding.values": 1})
    async for document in cursor:
        for value in document["document"]["finding"]["values"]:  # type: ignore[index]
            if value.get("value"):
                found.add(str(value["value"]))
    return found


async def watch_discrepancies(
    path: DetectionPath, wanted: dict[str, float], within: float
) -> dict[str, float]:
    """Epoch seconds at which each wanted email was first seen in a stored discrepancy."""
    seen: dict[str, float] = {}
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and len(seen) < len(wanted):
        values = await stored_emails(path)
        now = time.time()
        for email in wanted.keys() & values:
            seen.setdefault(email, now)
        await asyncio.sleep(POLL_SECONDS)
    return seen


async def make_changes(
    path: DetectionPath, contacts: list[str], rate: float, tag: str
) -> dict[str, tuple[str, float]]:
    """One email edit per contact at ``rate`` per second; new email -> (contact id, epoch of the edit)."""
    edits: dict[str, tuple[str, float]] = {}
    started = time.monotonic()
    pending: list[asyncio.Task[None]] = []
    for index, contact in enumerate(contacts):
        await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
        email = f"changed{index}.{tag}@bench.example"
        edits[email] = (contact, time.time())
        changes: dict[str, object] = {"properties": {"email": email}}
        pending.append(asyncio.create_task(path.edit("hubspot", "contacts", contact, changes)))
    await asyncio.gather(*pending)
    return edits


async def main(customers: int, rate: float, seconds: float) -> dict[str, object]:
    run = BenchRun.create("detection")
    changes = int(rate * seconds)
    if changes > customers:
        raise SystemExit(f"{changes} changes need at least as many customers (got {customers})")
    try:
        async with detection_path(run) as path:
            report = await path.seed(customers)
            contacts = [str(c["records"]["hubspot"]) for c in report["customers"]]  # type: ignore[index,union-attr]
            before = await path.settled(records=3 * customers)
            watch = RawTopicWatch(run.kafka, topic_for("raw_notification_received", run.prefix))
            await watch.start()
            edits = await make_changes(path, contacts[:changes], rate, run.tag)
            stored = await watch_discrepancies(path, {e: t for e, (_, t) in edits.items()}, within=120)
            await watch.stop()
        machine = await environment(run)
    finally:
        await run.cleanup()
    detection = [stored[e] - t for e, (_, t) in edits.items() if e in stored]
    raw = [
        min(a for a in watch.arrivals.get(contact, []) if a >= t - 0.01) - t
        for contact, t in edits.values()
        if any(a >= t - 0.01 for a in watch.arrivals.get(contact, []))
    ]
    return {
        "benchmark": "detection_latency",
        "description": "HubSpot email edit in the sandbox (webhook emitted) -> discrepancy stored in MongoDB; "
        "baseline: same edit -> raw notification on Kafka (record timestamp), same run",
        "load": {
            "changes_per_second": rate,
            "changes": changes,
            "seconds": seconds,
            "customers": customers,
            "stored_before_changes": before,
            "poll_resolution_seconds": POLL_SECONDS,
        },
        "detection_ms": summary(detection, scale=1000),
        "detected": len(detection),
        "baseline_webhook_to_raw_topic_ms": summary(raw, scale=1000),
        "sandbox_api_requests": path.counter.snapshot(),
        "machine": machine,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--rate", type=float, default=2.0, help="changes per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    result = asyncio.run(main(args.customers, args.rate, args.seconds))
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    print(write_result("detection_latency", result))
