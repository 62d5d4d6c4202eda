"""What every platform wire model shares: lenient parsing, faithful re-serialisation, JSON values.

Wire models mirror a vendor's JSON. They are lenient on purpose: fields Concord does not know are
kept (``extra="allow"``) and written back out by :meth:`WireModel.to_wire`, so that a newer API
version adding fields never breaks ingest and never loses data.
"""

import json
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol, TypeAlias

from pydantic import BaseModel, ConfigDict

WireValue: TypeAlias = "str | int | float | bool | Decimal | list[WireValue] | dict[str, WireValue] | None"
"""A JSON value as Concord writes it to a platform; ``Decimal`` is a JSON number (see encode_json)."""

WireObject: TypeAlias = dict[str, WireValue]
"""A JSON object: a request body or a fragment of one."""


class WireModel(BaseModel):
    """Base of every platform wire model: frozen, unknown fields kept, aliases and names both accepted."""

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    def to_wire(self) -> dict[str, object]:
        """The record as the platform's JSON (vendor field names, unknown fields included).

        Fields that were absent from the parsed payload stay absent, so the output is the input
        modulo Concord's normalisation of ids (e.g. a Shopify gid read as its numeric id).
        """
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class PlatformRecord(Protocol):
    """A platform record Concord can observe: identity, version and last-modified time."""

    def external_id(self) -> str:
        """The platform's own id of the record, as a string."""
        ...

    def source_version(self) -> str:
        """The record's version; later modifications give strings that sort later."""
        ...

    def source_updated_at(self) -> datetime:
        """When the platform last modified the record (aware, UTC)."""
        ...

    def is_deleted(self) -> bool:
        """Whether the platform reports the record as deleted or archived."""
        ...


class WireRecord(WireModel, ABC):
    """A wire model that is a whole platform record; implements :class:`PlatformRecord`."""

    @abstractmethod
    def external_id(self) -> str:
        """The platform's own id of the record, as a string."""

    @abstractmethod
    def source_version(self) -> str:
        """The record's version; later modifications give strings that sort later."""

    @abstractmethod
    def source_updated_at(self) -> datetime:
        """When the platform last modified the record (aware, UTC)."""

    def is_deleted(self) -> bool:
        """Whether the platform reports the record as deleted or archived; ``False`` unless overridden."""
        return False


def utc(moment: datetime) -> datetime:
    """``moment`` converted to UTC; naive datetimes are rejected with ``ValueError``."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime where an aware one is required")
    return moment.astimezone(UTC)


def version_from(moment: datetime) -> str:
    """A version string that sorts like the modification times: ISO-8601 UTC, microseconds, ``Z``."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_json(value: WireValue) -> str:
    """JSON text for a body built by a mapping; ``Decimal`` becomes an exact JSON number.

    ``json.dumps`` cannot write a Decimal as a number without passing through float, which would
    break Concord's no-float rule for money (NetSuite takes money as JSON numbers).
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a JSON number: {value}")
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(key)}:{encode_json(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode_json(item) for item in value) + "]"
    return json.dumps(value)
