"""Reading records from the platforms for hydration and refreshes, and sorting out what failed how.

Errors are split once, here: a *permanent* failure (the platform calls the request invalid, answers a
body that does not parse, or the record is of a type Concord cannot read) will fail again on retry,
so the messages that asked for it go to the dead-letter topic. Anything else (the platform is down,
rate limited, credentials refused, a network error) is *transient*: it propagates, the consumer
does not commit, and the batch is read again after a pause.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import structlog

from shared.adapters.budget import Priority
from shared.adapters.platforms.base import PlatformConnector
from shared.core.errors import Conflict, Invalid, InvalidInput, MalformedResponse, NotFound
from shared.core.events import AnyMessage
from shared.core.model import EntityType, System
from shared.core.platforms import WireRecord

PERMANENT_ERRORS: tuple[type[Exception], ...] = (Invalid, MalformedResponse, InvalidInput, Conflict)
"""Failures that retrying cannot fix: the message that caused them is dead-lettered."""

log = structlog.get_logger(__name__)

Connectors = Mapping[System, PlatformConnector]


@dataclass
class ReadResult:
    """Records found by id; ids that failed permanently with the reason. Absent ids do not exist."""

    found: dict[str, WireRecord] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """What a batch of input messages produced: messages to publish, and inputs that failed for good."""

    messages: list[AnyMessage] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    """Input ``message_id`` -> reason; those messages go to the dead-letter topic."""


def describe(error: Exception) -> str:
    """A one-line reason for a dead letter: the error class and message (never a payload)."""
    return f"{type(error).__name__}: {error}"[:1000]


async def read_records(
    connectors: Connectors,
    system: System,
    entity_type: EntityType,
    ids: Sequence[str],
    *,
    priority: Priority = Priority.BACKGROUND,
) -> ReadResult:
    """Read ``ids`` with one batch read; if the batch fails permanently, read them one by one.

    Reading one by one isolates the record that poisons the batch, so the others still get through.
    Transient errors propagate. With no connector for ``system`` every id fails permanently.
    """
    connector = connectors.get(system)
    if connector is None:
        return ReadResult(failed=dict.fromkeys(ids, f"no {system} connector is configured"))
    try:
        records = await connector.read_many(entity_type, list(ids), priority=priority)
    except PERMANENT_ERRORS as error:
        log.warning(
            "batch_read_failed", system=system.value, entity_type=entity_type.value, error=describe(error)
        )
        return await _read_one_by_one(connector, entity_type, ids, priority)
    return ReadResult(found={record.external_id(): record for record in records})


async def _read_one_by_one(
    connector: PlatformConnector, entity_type: EntityType, ids: Sequence[str], priority: Priority
) -> ReadResult:
    result = ReadResult()
    for record_id in ids:
        try:
            result.found[record_id] = await connector.read(entity_type, record_id, priority=priority)
        except NotFound:
            continue
        except PERMANENT_ERRORS as error:
            result.failed[record_id] = describe(error)
    return result
