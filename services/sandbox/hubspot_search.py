"""HubSpot CRM search semantics (PLATFORMS.md 1.3): filter groups, one sort, offset paging, limits.

Filter groups are ORed, filters inside a group ANDed. Date properties compare as instants (epoch
milliseconds or ISO-8601 strings are both accepted), numeric strings as numbers, anything else
case-insensitively as text. Paging is a numeric offset in ``after``; a query cannot reach past
10,000 results.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

MAX_BODY_CHARS = 3000
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
RESULT_CEILING = 10_000
MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 10, 25
DATE_PROPERTIES = frozenset({"createdate", "lastmodifieddate", "hs_lastmodifieddate", "closedate"})

Record = Mapping[str, object]
Comparable = Decimal | str


class SearchError(ValueError):
    """The search request is invalid; HubSpot answers 400 VALIDATION_ERROR with this message."""


@dataclass(frozen=True)
class Filter:
    property_name: str
    operator: str
    value: str | None
    high_value: str | None
    values: tuple[str, ...]


@dataclass(frozen=True)
class SearchRequest:
    """A parsed search body."""

    groups: tuple[tuple[Filter, ...], ...]
    sort: tuple[str, bool] | None  # property, descending
    query: str | None
    properties: list[str] | None
    limit: int
    after: int


def parse_search(body_text: str) -> SearchRequest:
    """Parse and validate a search body; raises :class:`SearchError` with HubSpot's kind of message."""
    if len(body_text) > MAX_BODY_CHARS:
        raise SearchError(
            f"The request body is {len(body_text)} characters; at most {MAX_BODY_CHARS} are allowed."
        )
    try:
        body = json.loads(body_text or "{}")
    except json.JSONDecodeError as error:
        raise SearchError(
            f"Invalid input JSON on line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(body, dict):
        raise SearchError("Invalid input JSON: expected an object.")
    groups = _parse_groups(body.get("filterGroups", []))
    limit = _integer(body.get("limit", DEFAULT_LIMIT), "limit")
    if not 0 < limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}; got {limit}.")
    after = _integer(body.get("after", 0) or 0, "after")
    if after >= RESULT_CEILING:
        raise SearchError(
            f"Paging past {RESULT_CEILING} results is not supported; narrow the query (after={after})."
        )
    properties = body.get("properties")
    query = body.get("query")
    return SearchRequest(
        groups=groups,
        sort=_parse_sort(body.get("sorts", [])),
        query=query if isinstance(query, str) and query else None,
        properties=[str(name) for name in properties] if isinstance(properties, list) else None,
        limit=limit,
        after=after,
    )


def run_search(records: Sequence[Record], request: SearchRequest) -> tuple[list[Record], int, int | None]:
    """The page of matching records, the total match count and the next ``after`` (``None`` at the end)."""
    matches = [record for record in records if _matches(_properties(record), request)]
    if request.sort is None:
        matches.sort(key=lambda record: int(str(record["id"])))
    else:
        name, descending = request.sort
        present = [r for r in matches if _properties(r).get(name) not in (None, "")]
        absent = [r for r in matches if _properties(r).get(name) in (None, "")]
        present.sort(key=_sort_key(name), reverse=descending)
        matches = present + absent
    end = min(request.after + request.limit, RESULT_CEILING)
    next_after = end if end < len(matches) else None
    return matches[request.after : end], len(matches), next_after


def comparable(name: str, text: str) -> Comparable:
    """How a property value compares: an instant (epoch ms), a number, or lowercase text."""
    if name in DATE_PROPERTIES:
        instant = _instant_ms(text)
        if instant is not None:
            return instant
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text.lower()
    return number if number.is_finite() else text.lower()


def _parse_groups(raw: object) -> tuple[tuple[Filter, ...], ...]:
    if not isinstance(raw, list) or len(raw) > MAX_GROUPS:
        raise SearchError(f"At most {MAX_GROUPS} filterGroups are allowed.")
    groups = []
    for group in raw:
        filters = group.get("filters", []) if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > MAX_FILTERS_PER_GROUP:
            raise SearchError(f"At most {MAX_FILTERS_PER_GROUP} filters are allowed in a filterGroup.")
        groups.append(tuple(_parse_filter(item) for item in filters))
    if sum(len(group) for group in groups) > MAX_FILTERS:
        raise SearchError(f"At most {MAX_FILTERS} filters are allowed across all filterGroups.")
    return tuple(groups)


def _parse_filter(raw: object) -> Filter:
    if not isinstance(raw, dict) or not isinstance(raw.get("propertyName"), str):
        raise SearchError("Each filter needs a propertyName and an operator.")
    operator = str(raw.get("operator", "EQ"))
    if operator not in _OPERATORS:
        raise SearchError(f"Unsupported filter operator {operator!r}.")
    values = raw.get("values")
    return Filter(
        property_name=raw["propertyName"],
        operator=operator,
        value=None if raw.get("value") is None else str(raw["value"]),
        high_value=None if raw.get("highValue") is None else str(raw["highValue"]),
        values=tuple(str(item) for item in values) if isinstance(values, list) else (),
    )


def _parse_sort(raw: object) -> tuple[str, bool] | None:
    if not isinstance(raw, list) or not raw:
        return None
    first = raw[0]  # HubSpot honours only the first sort
    if isinstance(first, str):
        return (first.lstrip("-"), first.startswith("-"))
    if isinstance(first, dict) and isinstance(first.get("propertyName"), str):
        return (first["propertyName"], str(first.get("direction", "ASCENDING")).upper() == "DESCENDING")
    raise SearchError("Each sort needs a propertyName and a direction.")


def _integer(value: object, name: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise SearchError(f"{name} must be an integer; got {value!r}.") from None


def _properties(record: Record) -> Mapping[str, object]:
    properties = record.get("properties")
    return properties if isinstance(properties, dict) else {}


def _matches(properties: Mapping[str, object], request: SearchRequest) -> bool:
    if request.query is not None:
        needle = request.query.lower()
        if not any(needle in str(value).lower() for value in properties.values() if value):
            return False
    if not request.groups:
        return True
    return any(all(_holds(properties, item) for item in group) for group in request.groups)


def _holds(properties: Mapping[str, object], item: Filter) -> bool:
    raw = properties.get(item.property_name)
    actual = None if raw in (None, "") else str(raw)
    return _OPERATORS[item.operator](item.property_name, actual, item)


def _compare(name: str, actual: str | None, expected: str | None, test: Callable[[int], bool]) -> bool:
    if actual is None or expected is None:
        return False
    left, right = comparable(name, actual), comparable(name, expected)
    if type(left) is not type(right):
        left, right = actual.lower(), expected.lower()
    return test((left > right) - (left < right))  # type: ignore[operator]  # same type, checked above


def _contains_token(actual: str | None, token: str | None) -> bool:
    if actual is None or token is None:
        return False
    return token.strip("*").lower() in actual.lower()


_Operator = Callable[[str, str | None, Filter], bool]
_OPERATORS: Mapping[str, _Operator] = {
    "EQ": lambda n, a, f: _compare(n, a, f.value, lambda c: c == 0),
    "NEQ": lambda n, a, f: not _compare(n, a, f.value, lambda c: c == 0),
    "LT": lambda n, a, f: _compare(n, a, f.value, lambda c: c < 0),
    "LTE": lambda n, a, f: _compare(n, a, f.value, lambda c: c <= 0),
    "GT": lambda n, a, f: _compare(n, a, f.value, lambda c: c > 0),
    "GTE": lambda n, a, f: _compare(n, a, f.value, lambda c: c >= 0),
    "BETWEEN": lambda n, a, f: (
        _compare(n, a, f.value, lambda c: c >= 0) and _compare(n, a, f.high_value, lambda c: c <= 0)
    ),
    "IN": lambda n, a, f: a is not None and a.lower() in {v.lower() for v in f.values},
    "NOT_IN": lambda n, a, f: a is None or a.lower() not in {v.lower() for v in f.values},
    "HAS_PROPERTY": lambda n, a, f: a is not None,
    "NOT_HAS_PROPERTY": lambda n, a, f: a is None,
    "CONTAINS_TOKEN": lambda n, a, f: _contains_token(a, f.value),
    "NOT_CONTAINS_TOKEN": lambda n, a, f: not _contains_token(a, f.value),
}


def _sort_key(name: str) -> Callable[[Record], tuple[int, Comparable, int]]:
    def key(record: Record) -> tuple[int, Comparable, int]:
        value = comparable(name, str(_properties(record).get(name)))
        # Numbers before text, so mixed columns still sort deterministically; id breaks ties.
        return (0 if isinstance(value, Decimal) else 1, value, int(str(record["id"])))

    return key


def _instant_ms(text: str) -> Decimal | None:
    if text.isdigit():
        return Decimal(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Decimal(round(moment.timestamp() * 1000))
