"""The topics the dashboard publishes, declared on a documentation-only broker for its AsyncAPI document.

The dashboard has no FastStream app: it publishes through ``KafkaMessagePublisher`` (routed by the
core's topic table). Nothing here connects or runs at import.
"""

from faststream.kafka import KafkaBroker

from shared.core.events import RefreshRequested, SyncCommand, topic_for

COMMANDS_DESCRIPTION = (
    "SyncCommand, keyed by entity id: an operator's approved correction, naming the approver, the "
    "discrepancy revision reviewed and the records as seen (the syncer's precondition). "
    "JSON Schemas: docs/asyncapi/schemas/<type>.v<schema_version>.json."
)
REFRESH_DESCRIPTION = (
    "RefreshRequested (reason operator), keyed by the first record's key: an operator's re-check of "
    "every linked record of an entity, read at once by ingest."
)


def declare_published_topics(broker: KafkaBroker, prefix: str) -> None:
    """Declare the sync-command and refresh-request topics the dashboard publishes to."""
    broker.publisher(
        topic_for("sync_command", prefix), schema=SyncCommand, title="sync.commands",
        description=COMMANDS_DESCRIPTION,
    )  # fmt: skip
    broker.publisher(
        topic_for("refresh_requested", prefix), schema=RefreshRequested, title="refresh.requested",
        description=REFRESH_DESCRIPTION,
    )  # fmt: skip
