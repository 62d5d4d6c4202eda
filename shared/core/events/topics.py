"""Kafka topics in one scheme, and how each message is routed and keyed.

Names are ``concord.<stream>.v<N>``; each topic has a dead-letter topic, the same name plus
``.dlq``. The topic version changes only on a breaking change (consumers of ``v1`` keep working
while ``v2`` is introduced); compatible changes bump a message type's ``schema_version`` instead.

A deployment or a test may put a prefix in front of every name (``ci-42.concord.sync.results.v1``);
the prefix is an argument, never global state, so parallel tests cannot see each other's topics.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from shared.core.errors import InvalidInput
from shared.core.events.catalog import AnyMessage, MessageType

DEAD_LETTER_SUFFIX: Final = ".dlq"

RAW_NOTIFICATIONS: Final = "concord.notifications.raw.v1"
RECORDS_OBSERVED: Final = "concord.records.observed.v1"
ENTITIES_CHANGED: Final = "concord.entities.changed.v1"
REFRESH_REQUESTED: Final = "concord.refresh.requested.v1"
DISCREPANCIES: Final = "concord.discrepancies.v1"
SYNC_COMMANDS: Final = "concord.sync.commands.v1"
SYNC_RESULTS: Final = "concord.sync.results.v1"

TOPIC_OF_TYPE: Final[Mapping[MessageType, str]] = MappingProxyType(
    {
        "raw_notification_received": RAW_NOTIFICATIONS,
        # Deletions share the observation topic so that one record's history stays in order.
        "record_observed": RECORDS_OBSERVED,
        "record_deleted": RECORDS_OBSERVED,
        "entity_changed": ENTITIES_CHANGED,
        "refresh_requested": REFRESH_REQUESTED,
        "discrepancy_opened": DISCREPANCIES,
        "discrepancy_changed": DISCREPANCIES,
        "discrepancy_resolved": DISCREPANCIES,
        "sync_command": SYNC_COMMANDS,
        "sync_result": SYNC_RESULTS,
    }
)
"""Unprefixed topic of every message type; several types may share a topic."""

# Kafka's legal topic characters; a prefix must also leave room for the longest name + ".dlq".
_PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*[A-Za-z0-9_-]$|^[A-Za-z0-9_-]$")
_MAX_TOPIC_LENGTH = 249


@dataclass(frozen=True)
class Route:
    """Where a message goes: its topic and its partition key."""

    topic: str
    key: str


def _check_prefix(prefix: str) -> None:
    if not prefix:
        return
    if not _PREFIX_PATTERN.match(prefix):
        raise InvalidInput(f"topic prefix {prefix!r} may only hold letters, digits, '.', '_', '-'")
    longest = max(len(name) for name in TOPIC_OF_TYPE.values()) + len(DEAD_LETTER_SUFFIX)
    if len(prefix) + 1 + longest > _MAX_TOPIC_LENGTH:
        raise InvalidInput(f"topic prefix {prefix!r} is too long for Kafka's {_MAX_TOPIC_LENGTH} characters")


def prefixed(name: str, prefix: str = "") -> str:
    """``name`` under ``prefix`` (``prefix.name``), or ``name`` itself for an empty prefix.

    Raises ``InvalidInput`` for a prefix Kafka would refuse.
    """
    _check_prefix(prefix)
    return f"{prefix}.{name}" if prefix else name


def topic_for(message_type: MessageType, prefix: str = "") -> str:
    """The topic that carries ``message_type``."""
    return prefixed(TOPIC_OF_TYPE[message_type], prefix)


def dead_letter_topic(topic: str) -> str:
    """The dead-letter topic of an (already prefixed) topic."""
    if topic.endswith(DEAD_LETTER_SUFFIX):
        raise InvalidInput(f"{topic!r} is already a dead-letter topic")
    return topic + DEAD_LETTER_SUFFIX


def all_topics(prefix: str = "") -> tuple[str, ...]:
    """Every topic and its dead-letter topic, sorted: what a deployment must provision."""
    names = {prefixed(name, prefix) for name in TOPIC_OF_TYPE.values()}
    return tuple(sorted(names | {dead_letter_topic(name) for name in names}))


def message_types_on(topic: str, prefix: str = "") -> tuple[MessageType, ...]:
    """The message types a (prefixed) topic carries, in table order; empty for an unknown topic."""
    return tuple(kind for kind, name in TOPIC_OF_TYPE.items() if prefixed(name, prefix) == topic)


def partition_key(message: AnyMessage) -> str:
    """The Kafka key of a message.

    Raw notifications, observations and deletions: the platform record key (``ref.key``); entity
    changes, discrepancy events, sync commands and results: the entity id; refresh requests: the
    first record's key.
    """
    return message.partition_key


def route(message: AnyMessage, prefix: str = "") -> Route:
    """Topic and key of ``message``."""
    return Route(topic=topic_for(message.type, prefix), key=partition_key(message))


__all__ = [
    "DEAD_LETTER_SUFFIX",
    "DISCREPANCIES",
    "ENTITIES_CHANGED",
    "RAW_NOTIFICATIONS",
    "RECORDS_OBSERVED",
    "REFRESH_REQUESTED",
    "SYNC_COMMANDS",
    "SYNC_RESULTS",
    "TOPIC_OF_TYPE",
    "Route",
    "all_topics",
    "dead_letter_topic",
    "message_types_on",
    "partition_key",
    "prefixed",
    "route",
    "topic_for",
]
