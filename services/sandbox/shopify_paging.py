"""Shopify REST list semantics (PLATFORMS.md 2.2): filters, ordering and ``page_info`` cursors.

A cursor carries the original filters, the order and the key of the record it continues from, so
follow-up requests may add only ``limit`` and ``fields``. Cursors are opaque base64url JSON.
"""

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.sandbox.stamping import SHOP_TIMEZONE

DEFAULT_LIMIT = 50
MAX_LIMIT = 250
FILTERS = (
    "updated_at_min",
    "updated_at_max",
    "created_at_min",
    "created_at_max",
    "since_id",
    "ids",
    "status",
    "order",
)
PAGE_PARAMETERS = frozenset({"limit", "fields", "page_info"})
_ORDERABLE = frozenset({"id", "updated_at", "created_at"})

Record = Mapping[str, object]
SortKey = tuple[float, int]


class PagingError(ValueError):
    """A bad list request; Shopify answers 400 with ``{"errors": {parameter: [message]}}``."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Cursor:
    """Where a page continues: the filters, the direction and the key of the boundary record."""

    filters: dict[str, str]
    direction: str  # "next" or "previous"
    key: SortKey

    def encode(self) -> str:
        text = json.dumps(
            {"f": self.filters, "d": self.direction, "k": list(self.key)}, separators=(",", ":")
        )
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            filters = {str(name): str(value) for name, value in data["f"].items()}
            value, record_id = data["k"]
            return cls(filters, str(data["d"]), (float(value), int(record_id)))
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            raise PagingError("page_info", "Invalid value.") from None


@dataclass(frozen=True)
class Page:
    records: list[Record]
    next_cursor: Cursor | None
    previous_cursor: Cursor | None


def paginate(records: Sequence[Record], filters: dict[str, str], cursor: Cursor | None, limit: int) -> Page:
    """One page of ``records`` matching ``filters``, continuing from ``cursor`` when given."""
    field, descending = _order(filters.get("order"))
    ordered = sorted((r for r in records if matches(r, filters)), key=_key_of(field), reverse=descending)
    keys = [_key_of(field)(record) for record in ordered]

    def beyond(key: SortKey, boundary: SortKey) -> bool:
        return key < boundary if descending else key > boundary

    if cursor is None:
        start, end = 0, min(len(keys), limit)
    elif cursor.direction == "next":
        start = next((i for i, key in enumerate(keys) if beyond(key, cursor.key)), len(keys))
        end = min(len(keys), start + limit)
    else:
        end = next((i for i, key in enumerate(keys) if not beyond(cursor.key, key)), len(keys))
        start = max(0, end - limit)
    page = list(ordered[start:end])
    next_cursor = Cursor(filters, "next", keys[end - 1]) if page and end < len(ordered) else None
    previous_cursor = Cursor(filters, "previous", keys[start]) if page and start > 0 else None
    return Page(page, next_cursor, previous_cursor)


def matches(record: Record, filters: Mapping[str, str]) -> bool:
    """Whether ``record`` passes Shopify's list filters (``order`` is not a filter)."""
    record_id = int(str(record["id"]))
    for name, value in filters.items():
        if name in {"updated_at_min", "created_at_min"} and _instant(record, name[:-4]) < parse_time(
            name, value
        ):
            return False
        if name in {"updated_at_max", "created_at_max"} and _instant(record, name[:-4]) > parse_time(
            name, value
        ):
            return False
        if name == "since_id" and record_id <= _integer(name, value):
            return False
        if name == "ids" and record_id not in {
            _integer(name, part) for part in value.split(",") if part.strip()
        }:
            return False
        if name == "status" and not _status_matches(record, value):
            return False
    return True


def parse_time(parameter: str, text: str) -> float:
    """An ISO-8601 time parameter as epoch seconds; without an offset it is in the shop's zone."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise PagingError(parameter, "is invalid") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHOP_TIMEZONE)
    return moment.timestamp()


def _status_matches(record: Record, status: str) -> bool:
    if "financial_status" in record or "line_items" in record:  # an order
        closed, cancelled = record.get("closed_at") is not None, record.get("cancelled_at") is not None
        wanted = {"open": not closed and not cancelled, "closed": closed, "cancelled": cancelled, "any": True}
        return wanted.get(status, False)
    return record.get("status") in {part.strip() for part in status.split(",")}


def _order(raw: str | None) -> tuple[str, bool]:
    if not raw:
        return ("id", False)
    field, _, direction = raw.strip().partition(" ")
    if field not in _ORDERABLE or direction.lower() not in {"", "asc", "desc"}:
        raise PagingError("order", "is invalid")
    return (field, direction.lower() == "desc")


def _key_of(field: str) -> Callable[[Record], SortKey]:
    def key(record: Record) -> SortKey:
        record_id = int(str(record["id"]))
        return (float(record_id) if field == "id" else _instant(record, field), record_id)

    return key


def _instant(record: Record, field: str) -> float:
    value = record.get(field)
    return datetime.fromisoformat(str(value)).timestamp() if value else 0.0


def _integer(parameter: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise PagingError(parameter, "is invalid") from None
