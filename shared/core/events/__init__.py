"""Concord's messages: one envelope, the message types, topics and keys, ids, JSON Schemas.

Import from here; the submodules are an implementation detail of this package.
"""

from shared.core.events.catalog import (
    MESSAGE_TYPES,
    AnyMessage,
    MessageType,
    message_to_json,
    parse_message,
    schema_version_of,
    type_name,
)
from shared.core.events.checking import EntityChanged, RefreshReason, RefreshRequested
from shared.core.events.discrepancies import (
    DiscrepancyChanged,
    DiscrepancyOpened,
    DiscrepancyResolved,
    ResolutionReason,
)
from shared.core.events.envelope import EnvelopeFields, Message, UtcDatetime, caused_by, first_in_chain
from shared.core.events.ids import (
    CONCORD_MESSAGE_NAMESPACE,
    DiscrepancyId,
    deletion_id,
    discrepancy_event_id,
    discrepancy_id_for,
    new_message_id,
    observation_id,
    raw_notification_id,
    sync_result_id,
)
from shared.core.events.records import JsonObject, RawNotificationReceived, RecordDeleted, RecordObserved
from shared.core.events.schemas import message_json_schema, message_json_schemas
from shared.core.events.sync import FieldImage, RecordWrite, SeenRecord, SyncCommand, SyncOutcome, SyncResult
from shared.core.events.sync_actions import (
    CreateMissing,
    LinkRecord,
    OneDirectionSync,
    PerFieldSync,
    PolicySync,
    SyncAction,
    UndoCommand,
    UnlinkRecord,
)
from shared.core.events.topics import (
    DEAD_LETTER_SUFFIX,
    TOPIC_OF_TYPE,
    Route,
    all_topics,
    dead_letter_topic,
    message_types_on,
    partition_key,
    prefixed,
    route,
    topic_for,
)

__all__ = [
    "CONCORD_MESSAGE_NAMESPACE",
    "DEAD_LETTER_SUFFIX",
    "MESSAGE_TYPES",
    "TOPIC_OF_TYPE",
    "AnyMessage",
    "CreateMissing",
    "DiscrepancyChanged",
    "DiscrepancyId",
    "DiscrepancyOpened",
    "DiscrepancyResolved",
    "EntityChanged",
    "EnvelopeFields",
    "FieldImage",
    "JsonObject",
    "LinkRecord",
    "Message",
    "MessageType",
    "OneDirectionSync",
    "PerFieldSync",
    "PolicySync",
    "RawNotificationReceived",
    "RecordDeleted",
    "RecordObserved",
    "RecordWrite",
    "RefreshReason",
    "RefreshRequested",
    "ResolutionReason",
    "Route",
    "SeenRecord",
    "SyncAction",
    "SyncCommand",
    "SyncOutcome",
    "SyncResult",
    "UndoCommand",
    "UnlinkRecord",
    "UtcDatetime",
    "all_topics",
    "caused_by",
    "dead_letter_topic",
    "deletion_id",
    "discrepancy_event_id",
    "discrepancy_id_for",
    "first_in_chain",
    "message_json_schema",
    "message_json_schemas",
    "message_to_json",
    "message_types_on",
    "new_message_id",
    "observation_id",
    "parse_message",
    "partition_key",
    "prefixed",
    "raw_notification_id",
    "route",
    "schema_version_of",
    "sync_result_id",
    "topic_for",
    "type_name",
]
