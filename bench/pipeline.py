"""Observations per second through the checker's two stages (link, then evaluate), beside raw consumption.

    python -m bench.pipeline [--entities 150] [--per-entity 6] [--reps 2]

Each repetition publishes the same observations (``entities`` customers, each seen ``per-entity``
times across HubSpot, Shopify and NetSuite, some disagreeing) to a fresh topic prefix: the topic
ingest writes observations to. Then, on that topic:

- baseline: an aiokafka consumer in its own group that does nothing but count, timed from its start
  until it has every message;
- measured: ``python -m services.checker`` (pulse off) in its own group and database, timed from its
  start-up marker until both stages committed everything (link: every observation; evaluate: every
  EntityChanged the link stage published). Each stage writes MongoDB (FerretDB) in bulk.

Ingest's own leg (webhook -> Kafka) is ``bench.webhook_ingest``; the whole path with the sandbox is
``bench.detection_latency``. Writes ``bench/results/pipeline.json``.
"""

import argparse
import asyncio
import statistics
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from bench.harness import BenchRun, elapsed_since, environment, summary, write_result
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.settings import ServiceSettings
from shared.core.events import AnyMessage, topic_for
from tests.integration.checker.scale_support import scale_observations

PARTITIONS = 6


class OffsetProbe:
    """End offsets of topics and committed offsets of groups, on one open consumer and admin client."""

    def __init__(self, kafka: str) -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
        self._admin = AIOKafkaAdminClient(bootstrap_servers=kafka)

    async def __aenter__(self) -> "OffsetProbe":
        await self._consumer.start()
        await self._admin.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def end_total(self, topic: str) -> int:
        partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        return sum((await self._consumer.end_offsets(partitions)).values())

    async def committed_total(self, group: str) -> int:
        try:
            offsets = await self._admin.list_consumer_group_offsets(group)
        except KafkaError:  # the group has not committed yet
            return 0
        return sum(meta.offset for meta in offsets.values() if meta.offset > 0)


async def publish(kafka: str, prefix: str, messages: list[AnyMessage]) -> None:
    await ensure_topics(kafka, prefix, partitions=PARTITIONS)
    broker = build_broker(ServiceSettings(kafka_bootstrap=kafka, service_name="bench"))
    async with broker:
        await broker.connect()
        publisher = KafkaMessagePublisher(broker, prefix=prefix)
        for start in range(0, len(messages), 1000):
            await publisher.publish_all(messages[start : start + 1000])


async def raw_consumption(kafka: str, topic: str, group: str, count: int) -> dict[str, float]:
    """Seconds for a do-nothing consumer (own group, from the start) to receive ``count`` messages."""
    started = time.perf_counter()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    received, first = 0, None
    try:
        async with asyncio.timeout(120):
            while received < count:
                for records in (await consumer.getmany(timeout_ms=200, max_records=5000)).values():
                    first = first or time.perf_counter()
                    received += len(records)
    finally:
        await consumer.stop()
    total = elapsed_since(started)
    return {
        "messages": received,
        "seconds": round(total, 3),
        "messages_per_second": round(received / total, 1),
        "seconds_after_first_message": round(total - ((first or started) - started), 3),
    }


async def checker_drain(run: BenchRun, prefix: str, rep: int, count: int) -> dict[str, object]:
    """Run one checker on ``prefix`` until both stages committed everything; its timing and progress."""
    group = f"{prefix}-checker"
    name = f"checker-r{rep}"
    env = run.service_env(
        "checker",
        CONCORD_TOPIC_PREFIX=prefix,
        CONCORD_MONGODB_DATABASE=f"{run.database}_r{rep}",
        CONCORD_GROUP_ID=group,
        CONCORD_INSTANCE_ID=name,
        CONCORD_PULSE__ENABLED="false",
        CONCORD_TOPIC_PARTITIONS=str(PARTITIONS),
    )
    run.start(name, "services.checker", env)
    await run.wait_log(name, "checker_started")
    started = time.perf_counter()
    samples: list[tuple[float, int, int]] = []
    async with OffsetProbe(run.kafka) as probe, asyncio.timeout(600):
        while True:
            linked = await probe.committed_total(f"{group}.link")
            evaluated = await probe.committed_total(f"{group}.evaluate")
            samples.append((elapsed_since(started), linked, evaluated))
            if linked >= count:
                changes = await probe.end_total(topic_for("entity_changed", prefix))
                if evaluated >= changes:
                    break
            await asyncio.sleep(0.25)
    seconds = elapsed_since(started)
    run.stop(name)
    link_done = next(t for t, linked, _ in samples if linked >= count)
    return {
        "observations": count,
        "entity_changes": changes,
        "seconds": round(seconds, 3),
        "observations_per_second": round(count / seconds, 1),
        "link_stage_seconds": round(link_done, 3),
        "link_stage_observations_per_second": round(count / link_done, 1) if link_done else None,
    }


async def main(entities: int, per_entity: int, reps: int) -> dict[str, object]:
    run = BenchRun.create("pipeline")
    messages = scale_observations(entities, per_entity)
    baselines: list[dict[str, float]] = []
    measured: list[dict[str, object]] = []
    try:
        for rep in range(reps):
            prefix = f"{run.prefix}r{rep}"
            await publish(run.kafka, prefix, messages)
            topic = topic_for("record_observed", prefix)
            baselines.append(await raw_consumption(run.kafka, topic, f"{prefix}-raw", len(messages)))
            measured.append(await checker_drain(run, prefix, rep, len(messages)))
        machine = await environment(run)
    finally:
        await run.cleanup()
    rates = [float(m["observations_per_second"]) for m in measured]  # type: ignore[arg-type]
    raw_rates = [b["messages_per_second"] for b in baselines]
    return {
        "benchmark": "pipeline",
        "description": "observations through the checker's link and evaluate stages (MongoDB writes "
        "included), beside a do-nothing consumer of the same messages from the same broker",
        "load": {
            "entities": entities,
            "observations": len(messages),
            "repetitions": reps,
            "partitions": PARTITIONS,
            "checker_instances": 1,
        },
        "checker": {"observations_per_second": summary(rates, digits=1), "runs": measured},
        "baseline_raw_consumption": {"messages_per_second": summary(raw_rates, digits=1), "runs": baselines},
        "checker_vs_baseline_throughput": round(statistics.median(rates) / statistics.median(raw_rates), 4),
        "machine": machine,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=150)
    parser.add_argument("--per-entity", type=int, default=6)
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()
    result = asyncio.run(main(args.entities, args.per_entity, args.reps))
    print(write_result("pipeline", result))
