"""The envelope every Concord message shares, and helpers that fill it in.

Every message is a frozen pydantic model whose envelope fields sit beside its payload fields, so the
wire format is one flat JSON object: ``type`` says which message it is, ``schema_version`` which
revision of that type's schema, ``message_id`` is the consumer's idempotency key, ``correlation_id``
follows one change through every service and ``causation_id`` names the message that caused this one.
"""

from datetime import UTC, datetime
from typing import Annotated, TypedDict

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints
from pydantic.config import JsonDict

from shared.core.events.ids import new_message_id


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]
"""An aware datetime, normalised to UTC on validation (naive datetimes are rejected)."""

MessageId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
"""A message id: a UUID string from :mod:`shared.core.events.ids`, opaque to consumers."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
"""A non-empty short name: a service, an operator, a policy, a dimension."""

_ALWAYS_REQUIRED = ("type", "schema_version")


def _require_discriminators(schema: JsonDict) -> None:
    # ``type`` and ``schema_version`` have defaults for convenient construction, but on the wire
    # they are what a consumer dispatches on, so the published schema must require them.
    required = schema.get("required", [])
    if isinstance(required, list):
        schema["required"] = [*_ALWAYS_REQUIRED, *(r for r in required if r not in _ALWAYS_REQUIRED)]


class Message(BaseModel):
    """Base of every Concord message: the envelope.

    Subclasses narrow ``type`` to a ``Literal`` (the discriminator of :data:`AnyMessage`) and
    ``schema_version`` to a ``Literal`` of their current version, and define :attr:`partition_key`.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, json_schema_extra=_require_discriminators
    )

    type: str
    schema_version: int
    message_id: MessageId
    correlation_id: MessageId
    causation_id: MessageId | None = None
    produced_at: UtcDatetime
    producer: Name

    @property
    def partition_key(self) -> str:
        """The Kafka key that keeps related messages in order (see :mod:`shared.core.events.topics`)."""
        raise NotImplementedError(f"{type(self).__name__} does not define a partition key")


class EnvelopeFields(TypedDict):
    """The envelope fields of a new message, to be unpacked into its constructor with ``**``."""

    message_id: str
    correlation_id: str
    causation_id: str | None
    produced_at: datetime
    producer: str


def first_in_chain(*, producer: str, produced_at: datetime, message_id: str | None = None) -> EnvelopeFields:
    """Envelope fields for a message that starts a new chain: its correlation id is its own id.

    ``message_id`` should be a natural id (see :mod:`shared.core.events.ids`) where one exists; a
    random one is drawn otherwise.
    """
    own_id = message_id if message_id is not None else new_message_id()
    return EnvelopeFields(
        message_id=own_id,
        correlation_id=own_id,
        causation_id=None,
        produced_at=produced_at,
        producer=producer,
    )


def caused_by(
    cause: Message, *, producer: str, produced_at: datetime, message_id: str | None = None
) -> EnvelopeFields:
    """Envelope fields for a message caused by ``cause``.

    The correlation id is copied from ``cause`` and the causation id is ``cause.message_id``, so a
    chain of messages can be traced from any of its links. Usage::

        RecordObserved(**caused_by(raw, producer="ingest", produced_at=now, message_id=oid), ref=...)
    """
    return EnvelopeFields(
        message_id=message_id if message_id is not None else new_message_id(),
        correlation_id=cause.correlation_id,
        causation_id=cause.message_id,
        produced_at=produced_at,
        producer=producer,
    )


__all__ = [
    "EnvelopeFields",
    "Message",
    "MessageId",
    "Name",
    "UtcDatetime",
    "caused_by",
    "first_in_chain",
]
