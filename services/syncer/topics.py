"""The topics the syncer publishes, declared on its broker so its AsyncAPI document describes them.

The syncer publishes through ``KafkaMessagePublisher`` (routed by the core's topic table) and
dead-letters through ``DeadLetters``; these declarations only document the channels with their schemas.
"""

from typing import Final

from faststream.kafka import KafkaBroker

from shared.adapters.batches import declare_dead_letter_topic
from shared.core.events import RefreshRequested, SyncCommand, SyncResult, topic_for

RESULTS_DESCRIPTION = (
    "SyncResult, keyed by entity id: one per final attempt of a command (applied, rejected_stale, "
    "failed, dead), with the writes made. message_id is natural (command, attempt, outcome): a "
    "redelivered result carries the same id. JSON Schemas: docs/asyncapi/schemas/<type>.v<schema_version>.json."
)
REFRESH_DESCRIPTION = (
    "RefreshRequested after a command is final (reason sync_readback after a write, recheck otherwise), "
    "so ingest re-reads the records and the checker verifies the outcome."
)
RETRY_DESCRIPTION = (
    "Copies of retrying SyncCommands, sent back by the retry scheduler when their next attempt is due; "
    "the consumer recognises them by command_id."
)
PROVISIONED_ONLY: Final = frozenset({"sync.results.dead_letters"})
"""Titles of channels declared for the contract that no operation of the syncer sends to or receives."""


def declare_published_topics(broker: KafkaBroker, prefix: str) -> None:
    """Declare the sync-result, refresh-request and (retry) sync-command topics, and the dead-letter
    topics of the command consumer and of the result topic (see ``PROVISIONED_ONLY``)."""
    results, commands = topic_for("sync_result", prefix), topic_for("sync_command", prefix)
    broker.publisher(results, schema=SyncResult, title="sync.results", description=RESULTS_DESCRIPTION)
    broker.publisher(
        topic_for("refresh_requested", prefix), schema=RefreshRequested, title="refresh.requested",
        description=REFRESH_DESCRIPTION,
    )  # fmt: skip
    broker.publisher(
        commands, schema=SyncCommand, title="sync.commands.retries", description=RETRY_DESCRIPTION
    )
    declare_dead_letter_topic(broker, commands, title="commands.dead_letters", consumer="sync-command")
    declare_dead_letter_topic(broker, results, title="sync.results.dead_letters", consumer=None)
