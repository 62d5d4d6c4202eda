"""Every message type in one place: the ``AnyMessage`` union, parsing and serialising.

Adding a message type means: define it, add it to ``AnyMessage`` and ``MESSAGE_TYPES`` here, and
give it a topic in :mod:`shared.core.events.topics`; the tests fail until all three agree.
"""

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, ValidationError

from shared.core.errors import InvalidInput
from shared.core.events.checking import EntityChanged, RefreshRequested
from shared.core.events.discrepancies import DiscrepancyChanged, DiscrepancyOpened, DiscrepancyResolved
from shared.core.events.envelope import Message
from shared.core.events.records import RawNotificationReceived, RecordDeleted, RecordObserved
from shared.core.events.sync import SyncCommand, SyncResult

AnyMessage = Annotated[
    RawNotificationReceived
    | RecordObserved
    | RecordDeleted
    | EntityChanged
    | RefreshRequested
    | DiscrepancyOpened
    | DiscrepancyChanged
    | DiscrepancyResolved
    | SyncCommand
    | SyncResult,
    Field(discriminator="type"),
]
"""Any Concord message, discriminated by ``type``."""

MessageType = Literal[
    "raw_notification_received",
    "record_observed",
    "record_deleted",
    "entity_changed",
    "refresh_requested",
    "discrepancy_opened",
    "discrepancy_changed",
    "discrepancy_resolved",
    "sync_command",
    "sync_result",
]
"""The ``type`` discriminator of every message."""

MESSAGE_TYPES: tuple[type[Message], ...] = (
    RawNotificationReceived,
    RecordObserved,
    RecordDeleted,
    EntityChanged,
    RefreshRequested,
    DiscrepancyOpened,
    DiscrepancyChanged,
    DiscrepancyResolved,
    SyncCommand,
    SyncResult,
)
"""The message classes, in the order of ``AnyMessage``."""

_MAX_REPORTED_ERRORS = 5


@cache
def _any_message_adapter() -> TypeAdapter[AnyMessage]:
    # Built on first use, not at import time.
    return TypeAdapter(AnyMessage)


@cache
def _message_type_adapter() -> TypeAdapter[MessageType]:
    return TypeAdapter(MessageType)


def type_name(message_class: type[Message]) -> MessageType:
    """The ``type`` discriminator value of a message class; raises ``ValueError`` for a class that
    is not registered in ``MessageType``."""
    default = message_class.model_fields["type"].default
    try:
        return _message_type_adapter().validate_python(default)
    except ValidationError:
        raise ValueError(f"{message_class.__name__} has no registered type discriminator") from None


def schema_version_of(message_class: type[Message]) -> int:
    """The current schema version of a message class."""
    default = message_class.model_fields["schema_version"].default
    if not isinstance(default, int):
        raise TypeError(f"{message_class.__name__} has no schema_version default")
    return default


def _describe(error: ValidationError) -> str:
    # pydantic locates errors under the union tag (``record_observed.ref.system``), so the
    # message type is named without echoing the payload.
    details = error.errors(include_url=False, include_input=False)
    parts = [
        f"{'.'.join(str(step) for step in detail['loc']) or '<message>'}: {detail['msg']}"
        for detail in details[:_MAX_REPORTED_ERRORS]
    ]
    more = len(details) - _MAX_REPORTED_ERRORS
    if more > 0:
        parts.append(f"... and {more} more")
    return "invalid message: " + "; ".join(parts)


def parse_message(raw: bytes | str | Mapping[str, object]) -> AnyMessage:
    """Parse a message from JSON bytes or text, or from an already decoded mapping.

    Raises ``InvalidInput`` naming the message type and the failing fields (never the payload
    values, which may be personal data) when the input is not a valid message of a known type.
    """
    adapter = _any_message_adapter()
    try:
        if isinstance(raw, Mapping):
            return adapter.validate_python(dict(raw))
        return adapter.validate_json(raw)
    except ValidationError as exc:
        raise InvalidInput(_describe(exc)) from None


def message_to_json(message: Message) -> bytes:
    """The UTF-8 JSON wire form of a message (what :func:`parse_message` reads back)."""
    return message.model_dump_json().encode()


__all__ = [
    "MESSAGE_TYPES",
    "AnyMessage",
    "MessageType",
    "message_to_json",
    "parse_message",
    "schema_version_of",
    "type_name",
]
