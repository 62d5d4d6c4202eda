"""The syncer's subscriber: sync commands in, one at a time, committed once each is final or
``retrying`` (its next attempt then arrives as a copy the retry scheduler sends).

Records that are not sync commands go to the dead-letter topic. If a command cannot be finished
(MongoDB or Kafka down, a crash), the batch is redelivered; commands already final are recognised
by the store and only their unpublished results are sent.
"""

from collections.abc import Sequence

import structlog
from faststream.kafka import KafkaBroker

from services.syncer.service import CommandRunner
from shared.adapters.batches import BatchSubscription, DeadLetters, Record, decode_batch, subscribe_batches
from shared.core.events import AnyMessage, SyncCommand, prefixed, topic_for

log = structlog.get_logger(__name__)

CONSUMER = "concord.syncer.commands"


def _command(message: AnyMessage) -> SyncCommand | None:
    return message if isinstance(message, SyncCommand) else None


def register_handlers(
    broker: KafkaBroker,
    runner: CommandRunner,
    *,
    prefix: str,
    group_id: str,
    batch_size: int,
    retry_seconds: float,
) -> None:
    """Subscribe the command handler in consumer group ``group_id`` (prefixed like the topics)."""
    dead_letters = DeadLetters(broker)

    async def handle(records: Sequence[Record], consumer: object) -> None:
        batch = decode_batch(records, _command)
        await dead_letters.send(batch.rejected)
        for command in batch.messages:
            with structlog.contextvars.bound_contextvars(
                command_id=command.command_id, correlation_id=command.correlation_id
            ):
                record = await runner.run(command)
                log.info("command_handled", state=record.state.value if record else "duplicate")

    subscribe_batches(
        broker,
        BatchSubscription(
            topic=topic_for("sync_command", prefix),
            group_id=prefixed(group_id, prefix),
            max_records=batch_size,
            title=f"{CONSUMER}:sync_commands",
            description="Approved sync commands; each is applied exactly once and audited.",
            retry_delay_seconds=retry_seconds,
        ),
        handle,
    )
