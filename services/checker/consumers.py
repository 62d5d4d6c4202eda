"""The checker's Kafka subscribers: thin adapters from record batches to the stages' use cases.

Each stage is one consumer group reading in batches; offsets are committed only after the use case
returned, i.e. after its effects are stored and its messages acknowledged (see
``shared.adapters.batches``). Records that are not messages of the topic go to its dead-letter topic,
except on the sync-command topic, whose owner (the syncer) dead-letters them.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from faststream.kafka import KafkaBroker

from services.checker.decisions import DecisionConfig, DecisionPorts, run_decision_stage
from services.checker.evaluate import EvaluateConfig, EvaluatePorts, run_evaluate_stage
from services.checker.link import DeadLetterSink, LinkConfig, LinkPorts, Observation, run_link_stage
from services.checker.metrics import CheckerMetrics
from services.checker.settings import CheckerSettings
from shared.adapters.batches import (
    BatchHandler,
    BatchSubscription,
    DeadLetters,
    DecodedBatch,
    Record,
    Rejected,
    decode_batch,
    partition_lag,
    subscribe_batches,
)
from shared.core.events import (
    AnyMessage,
    EntityChanged,
    RecordDeleted,
    RecordObserved,
    SyncCommand,
    message_to_json,
    route,
    topic_for,
)

log = structlog.get_logger(__name__)

LINK_DESCRIPTION = (
    "Link stage: RecordObserved and RecordDeleted (keyed by platform record). Stores the snapshot, "
    "resolves or proposes the link, publishes EntityChanged."
)
EVALUATE_DESCRIPTION = (
    "Evaluate stage: EntityChanged (keyed by entity). Runs the checks of the touched dimensions, keeps "
    "the discrepancy lifecycle, publishes to the discrepancy topic, updates check state."
)
DECISIONS_DESCRIPTION = (
    "Decisions stage: SyncCommand (keyed by entity). Applies operator link decisions (actions link and "
    "unlink) to the entity model, ignores every other action, publishes EntityChanged of the entities "
    "they affect."
)


@dataclass(frozen=True)
class Stages:
    """Every stage's ports and configuration, and what the subscribers report to."""

    link: tuple[LinkPorts, LinkConfig]
    evaluate: tuple[EvaluatePorts, EvaluateConfig]
    decisions: tuple[DecisionPorts, DecisionConfig]
    dead_letters: DeadLetters
    metrics: CheckerMetrics


def observation_of(message: AnyMessage) -> Observation | None:
    """The message if the observation topic should carry it."""
    if isinstance(message, RecordObserved | RecordDeleted):
        return message
    return None


def entity_change_of(message: AnyMessage) -> EntityChanged | None:
    """The message if the entity-change topic should carry it."""
    if isinstance(message, EntityChanged):
        return message
    return None


def sync_command_of(message: AnyMessage) -> SyncCommand | None:
    """The message if the sync-command topic should carry it."""
    if isinstance(message, SyncCommand):
        return message
    return None


def message_dead_letters(dead_letters: DeadLetters, prefix: str) -> DeadLetterSink:
    """A sink for valid messages a stage cannot process (e.g. a record its mapping rejects)."""

    async def send(rejected: Sequence[tuple[AnyMessage, str]]) -> None:
        entries = []
        for message, reason in rejected:
            target = route(message, prefix)
            entries.append(
                Rejected(target.topic, -1, -1, target.key.encode(), message_to_json(message), reason)
            )
        await dead_letters.send(entries)

    return send


def link_handler(stages: Stages) -> BatchHandler:
    """The link stage's batch handler."""
    ports, config = stages.link

    async def handle(records: Sequence[Record], consumer: object) -> None:
        started = time.perf_counter()
        batch: DecodedBatch[Observation] = decode_batch(records, observation_of)
        await stages.dead_letters.send(batch.rejected)
        report = await run_link_stage(batch.messages, ports, config)
        seconds = time.perf_counter() - started
        stages.metrics.observe_link(report)
        stages.metrics.observe_batch(
            "link", size=len(records), seconds=seconds, lag=partition_lag(records, consumer),
            dead_lettered=len(batch.rejected),
        )  # fmt: skip
        log.info("link_batch", records=len(records), changes=len(report.changes), stale=report.stale,
                 duplicates=report.duplicates, echoes=report.echoes, rereads=len(report.rereads),
                 seconds=round(seconds, 3))  # fmt: skip

    return handle


def evaluate_handler(stages: Stages) -> BatchHandler:
    """The evaluate stage's batch handler."""
    ports, config = stages.evaluate

    async def handle(records: Sequence[Record], consumer: object) -> None:
        started = time.perf_counter()
        batch = decode_batch(records, entity_change_of)
        await stages.dead_letters.send(batch.rejected)
        report = await run_evaluate_stage(batch.messages, ports, config)
        seconds = time.perf_counter() - started
        stages.metrics.observe_evaluate(report)
        stages.metrics.observe_batch(
            "evaluate", size=len(records), seconds=seconds, lag=partition_lag(records, consumer),
            dead_lettered=len(batch.rejected),
        )  # fmt: skip
        log.info("evaluate_batch", records=len(records), entities=report.entities,
                 events=len(report.published), duplicates=report.duplicates, seconds=round(seconds, 3))  # fmt: skip

    return handle


def decisions_handler(stages: Stages) -> BatchHandler:
    """The decisions stage's batch handler. Records that are no sync command are skipped: the syncer,
    which owns the topic, dead-letters them."""
    ports, config = stages.decisions

    async def handle(records: Sequence[Record], consumer: object) -> None:
        started = time.perf_counter()
        batch = decode_batch(records, sync_command_of)
        report = await run_decision_stage(batch.messages, ports, config)
        seconds = time.perf_counter() - started
        stages.metrics.observe_decisions(report)
        stages.metrics.observe_batch(
            "decisions", size=len(records), seconds=seconds, lag=partition_lag(records, consumer),
            dead_lettered=0,
        )  # fmt: skip
        if report.processed:
            log.info("decisions_batch", records=len(records), linked=report.linked, moved=report.moved,
                     unlinked=report.unlinked, changes=len(report.changes), duplicates=report.duplicates)  # fmt: skip

    return handle


def register_consumers(broker: KafkaBroker, settings: CheckerSettings, stages: Stages) -> None:
    """Subscribe every stage on ``broker`` under the settings' group and batch sizes."""
    prefix = settings.topic_prefix
    subscriptions = (
        (BatchSubscription(
            topic=topic_for("record_observed", prefix), group_id=f"{settings.group_id}.link",
            max_records=settings.link_batch_size, title="checker.link", description=LINK_DESCRIPTION,
            batch_timeout_ms=settings.batch_timeout_ms, retry_delay_seconds=settings.retry_delay_seconds,
        ), link_handler(stages)),
        (BatchSubscription(
            topic=topic_for("entity_changed", prefix), group_id=f"{settings.group_id}.evaluate",
            max_records=settings.evaluate_batch_size, title="checker.evaluate", description=EVALUATE_DESCRIPTION,
            batch_timeout_ms=settings.batch_timeout_ms, retry_delay_seconds=settings.retry_delay_seconds,
        ), evaluate_handler(stages)),
        (BatchSubscription(
            topic=topic_for("sync_command", prefix), group_id=f"{settings.group_id}.decisions",
            max_records=settings.decisions_batch_size, title="checker.decisions", description=DECISIONS_DESCRIPTION,
            batch_timeout_ms=settings.batch_timeout_ms, retry_delay_seconds=settings.retry_delay_seconds,
        ), decisions_handler(stages)),
    )  # fmt: skip
    for subscription, handler in subscriptions:
        subscribe_batches(broker, subscription, handler)
