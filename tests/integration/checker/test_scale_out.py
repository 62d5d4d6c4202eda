"""Two checker processes in one consumer group, one killed mid-run, end where one instance ends.

3,000 observations of 300 customers by default: 3.5 to 7.5 minutes on a 2-CPU machine shared with
other work, FerretDB on SQLite being the bottleneck; ``CONCORD_CHECKER_SCALE_ENTITIES=1000`` runs the
issue's 10,000 observations of 1,000 customers. The deadlines only catch a hang, so they are generous.
The reference is the same two stages run in one process, batch by batch, on
the in-memory repositories; the deployment under test is two ``python -m services.checker``
processes on real Kafka and FerretDB, one of them SIGKILLed once a third of the observations are
committed.
"""

import asyncio
import os
import signal
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.adapters.settings import ServiceSettings
from shared.core.events import (
    DiscrepancyChanged,
    DiscrepancyOpened,
    DiscrepancyResolved,
    EntityChanged,
    RecordObserved,
    topic_for,
)
from shared.core.model import EntityId
from tests.component.checker.pipeline import FakePipeline
from tests.integration.checker.scale_support import (
    Deployment,
    committed,
    open_discrepancies,
    read_topic,
    scale_observations,
    wait_until_drained,
)

ENTITIES = int(os.environ.get("CONCORD_CHECKER_SCALE_ENTITIES", "300"))
PER_ENTITY = 10


@dataclass(frozen=True)
class Reference:
    """What one in-memory instance ends with: open discrepancies, the ids of the entity changes it
    published (natural ids: the same whatever the batching, so a lost change shows), and the entity
    each record is linked to."""

    discrepancies: dict[tuple[str, str], tuple[object, ...]]
    changes: dict[str, EntityChanged]
    entity_of: dict[str, EntityId]


async def _reference(messages: list[object]) -> Reference:
    pipeline = FakePipeline(datetime.now(UTC))
    for start in range(0, len(messages), 500):
        await pipeline.run(*messages[start : start + 500])  # type: ignore[arg-type]
    found: dict[tuple[str, str], tuple[object, ...]] = {}
    for item in pipeline.discrepancies.items.values():
        d = item.discrepancy
        if d.is_open:
            values = sorted((v.system.value, v.field or "", v.value or "") for v in d.finding.values)
            found[(d.entity_id, d.dimension)] = (d.finding.kind.value, d.finding.fields, tuple(values))
    entity_of = {key: link.entity_id for key, link in pipeline.entities.links.items()}
    changes = {m.message_id: m for m in pipeline.changes.published if isinstance(m, EntityChanged)}
    return Reference(found, changes, entity_of)


def _unexplained(
    extra: list[EntityChanged], reference: Reference, observations: set[str]
) -> list[EntityChanged]:
    """Extra changes that are not a replay's re-announcement. The killed instance may have stored a
    batch's snapshots and died before publishing or recording it; the survivor then announces each
    stored observation again over every dimension (the snapshot it replaced is gone), even one the
    reference found unchanged. Such a change names a real observation and the record's own entity."""
    return [
        change
        for change in extra
        if change.cause not in observations
        or change.changed_fields
        or any(reference.entity_of.get(r.key) != change.entity_id for r in change.changed_refs)
    ]


def _lost(
    reference: Reference, published: Sequence[EntityChanged], observations: Sequence[RecordObserved]
) -> list[EntityChanged]:
    """Reference changes missing from the topic and not superseded. The killed instance may have
    stored the latest of several observations of a record in one batch and died before publishing;
    the survivor then finds the earlier ones older than the stored snapshot and announces only the
    latest, over every dimension, which re-checks everything the earlier changes would have."""
    position = {m.message_id: (m.ref.key, i) for i, m in enumerate(observations)}

    def superseded(change: EntityChanged) -> bool:
        record, at = position[change.cause]
        return any(
            later.entity_id == change.entity_id
            and not later.changed_fields
            and (cause := position.get(later.cause)) is not None
            and cause[0] == record
            and cause[1] > at
            for later in published
        )

    ids = {m.message_id for m in published}
    return [c for c in reference.changes.values() if c.message_id not in ids and not superseded(c)]


async def _committed_total(deployment: Deployment) -> int:
    return sum((await committed(deployment.kafka, f"{deployment.group}.link")).values())


async def test_two_instances_one_killed_mid_run_end_like_one_without_duplicates_or_reordering(
    kafka_bootstrap: str, mongo_uri: str, unique: str, tmp_path: Path
) -> None:
    deployment = Deployment(
        kafka_bootstrap, mongo_uri, f"test_{unique}", f"scale{unique}", f"checker-{unique}"
    )
    messages = scale_observations(ENTITIES, PER_ENTITY)
    await ensure_topics(kafka_bootstrap, deployment.prefix, partitions=6)
    broker = build_broker(ServiceSettings(kafka_bootstrap=kafka_bootstrap, service_name="test"))
    async with broker:
        await broker.connect()
        publisher = KafkaMessagePublisher(broker, prefix=deployment.prefix)
        for start in range(0, len(messages), 1000):
            await publisher.publish_all(messages[start : start + 1000])  # type: ignore[arg-type]
    survivor, victim = deployment.start("a", tmp_path / "a.log"), deployment.start("b", tmp_path / "b.log")
    try:
        async with asyncio.timeout(max(300.0, 1.0 * ENTITIES)):
            while True:  # poll with a deadline until a third of the observations are committed
                if await _committed_total(deployment) >= len(messages) // 3:
                    break
                await asyncio.sleep(0.5)
        victim.send_signal(signal.SIGKILL)
        await wait_until_drained(deployment, within_seconds=max(900.0, 3.0 * ENTITIES))
    finally:
        for process in (survivor, victim):
            process.kill()
            process.wait()
    reference = await _reference(messages)  # type: ignore[arg-type]
    expected = reference.discrepancies

    changes = [
        m for _, _, m in await read_topic(kafka_bootstrap, topic_for("entity_changed", deployment.prefix))
    ]
    assert all(isinstance(m, EntityChanged) for m in changes), "only changes"
    published = [m for m in changes if isinstance(m, EntityChanged)]
    observations = [m for m in messages if isinstance(m, RecordObserved)]
    assert _lost(reference, published, observations) == [], "no change lost"
    extra = [m for m in published if m.message_id not in reference.changes]
    assert _unexplained(extra, reference, {m.message_id for m in messages}) == [], "none invented"
    actual = await open_discrepancies(mongo_uri, deployment.database)
    assert actual == expected
    assert len(expected) > ENTITIES // 4  # the data really disagrees somewhere

    events = await read_topic(kafka_bootstrap, topic_for("discrepancy_opened", deployment.prefix))
    _assert_lifecycle_in_order(events, set(expected))


Lifecycle = DiscrepancyOpened | DiscrepancyChanged | DiscrepancyResolved


def _assert_lifecycle_in_order(
    events: Sequence[tuple[int, int, object]], expected_open: set[tuple[str, str]]
) -> None:
    """Each message id means one content; each episode's revisions run 1, 2, 3... in offset order;
    each entity's events share a partition; the episodes left open are the expected ones."""
    first_seen: dict[str, Lifecycle] = {}
    revisions: dict[str, list[int]] = defaultdict(list)
    partitions: dict[str, set[int]] = defaultdict(set)
    for partition, _, event in events:
        assert isinstance(event, Lifecycle)
        known = first_seen.setdefault(event.message_id, event)
        assert known == event, "a message id was reused for different content"
        if known is event:  # a replay after the kill repeats a message id; consumers drop it
            revisions[event.discrepancy_id].append(event.revision)
        partitions[event.partition_key].add(partition)
    assert all(r == list(range(1, len(r) + 1)) for r in revisions.values()), "each episode's events in order"
    assert all(len(p) == 1 for p in partitions.values()), "each entity's events on one partition"
    resolved = {e.discrepancy_id for e in first_seen.values() if isinstance(e, DiscrepancyResolved)}
    still_open = {
        (e.partition_key, e.finding.dimension)
        for e in first_seen.values()
        if not isinstance(e, DiscrepancyResolved) and e.discrepancy_id not in resolved
    }
    assert still_open == expected_open
