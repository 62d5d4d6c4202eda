"""Field-mapping declarations: where a canonical field lives in a platform record, and how it moves.

A mapping declares every canonical field of its entity exactly once, either as a :class:`FieldMap`
or as an :class:`Unrepresentable` with the reason the platform cannot hold it. A field is never
faked: no default, no derived stand-in.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.core.errors import InvalidInput
from shared.core.mapping.context import MappingContext
from shared.core.platforms.base import WireObject, WireRecord

ValueT = TypeVar("ValueT")
RecordT_contra = TypeVar("RecordT_contra", bound=WireRecord, contravariant=True)

Writer = Callable[[object, MappingContext], WireObject]
"""Canonical value -> the platform fields that hold it, unwrapped (the mapping adds the envelope).

Receives the canonical value (``None`` clears the field) and raises ``InvalidInput`` for a value
the platform cannot express (e.g. a second address on a HubSpot contact).
"""


@dataclass(frozen=True, slots=True)
class FieldMap(Generic[RecordT_contra]):
    """One canonical field in one platform.

    ``path`` names where the value lives (``properties.email``, ``variants[].price``) for humans
    and error messages; ``read`` returns the canonical value already normalised; ``write`` is
    ``None`` for a field the platform computes itself (read-only, e.g. an order's total), and
    ``on_update`` is ``False`` for one that can be set only when the record is created. ``stated``
    says whether one record states the field at all (``None``: every record does); a record that
    does not is left out of comparisons of it, where an empty value would count as a difference.
    """

    field: str
    path: str
    read: Callable[[RecordT_contra, MappingContext], object]
    write: Writer | None = None
    on_update: bool = True
    stated: Callable[[RecordT_contra], bool] | None = None


@dataclass(frozen=True, slots=True)
class Unrepresentable:
    """A canonical field the platform cannot hold; ``reason`` says why, for operators and docs."""

    field: str
    reason: str


class FieldNotWritable(InvalidInput):
    """A write-back asked for a field the platform cannot hold or does not let Concord set."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def typed(value: object, kind: type[ValueT], field: str) -> ValueT | None:
    """``value`` narrowed to ``kind`` (or ``None``); anything else raises ``InvalidInput``."""
    if value is None:
        return None
    if not isinstance(value, kind):
        raise InvalidInput(f"{field}: expected {kind.__name__}, got {type(value).__name__}")
    return value
