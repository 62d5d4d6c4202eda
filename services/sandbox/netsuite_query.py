"""NetSuite record-collection filtering (``?q=``, PLATFORMS.md 3.3).

A query is conditions ``field OPERATOR value`` joined by ``AND``/``OR`` (AND binds tighter),
with parentheses. Operators taking several values (``ANY_OF``, ``BETWEEN``) read them comma
separated, bare or in brackets: ``createdFrom ANY_OF [4001, 4002]``. Field names match
case-insensitively; a reference field (``{"id": ..., "refName": ...}``) compares by its id. Date literals follow the user's date
format preference, here ``M/D/YYYY`` (or ``M/D/YY``), optionally followed by a time (``3:58 pm`` or
``15:58``); any other format (ISO included) is rejected, as NetSuite rejects it. A date literal
covers its whole day (or minute), so ``ON_OR_AFTER "6/10/2024"`` starts at 00:00 UTC that day.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

Record = Mapping[str, object]
Predicate = Callable[[Record], bool]

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"[^"]*")|(?P<paren>[()])|(?P<bracket>[\[\]])|(?P<comma>,)|(?P<word>[^\s(),"\[\]]+))'
)
_DATE = re.compile(
    r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2}|\d{4})"
    r"(?:\s+(?P<h>\d{1,2}):(?P<min>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>am|pm)?)?$",
    re.IGNORECASE,
)
_DATE_OPERATORS = frozenset({"AFTER", "BEFORE", "ON", "ON_OR_AFTER", "ON_OR_BEFORE"})
_NUMBER_OPERATORS = frozenset({"EQUAL", "GREATER", "GREATER_OR_EQUAL", "LESS", "LESS_OR_EQUAL"})
_STRING_OPERATORS = frozenset({"CONTAIN", "IS", "START_WITH", "END_WITH", "ENDWITH"})
_RANGE_OPERATORS = frozenset({"BETWEEN", "WITHIN"})


class QueryError(ValueError):
    """The ``q`` parameter is invalid; NetSuite answers 400 INVALID_PARAMETER."""


def parse_query(text: str) -> Predicate:
    """A predicate over records for the ``q`` text; raises :class:`QueryError`."""
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    predicate = parser.disjunction()
    if parser.position != len(tokens):
        raise QueryError(f"Unexpected {tokens[parser.position]!r} in the query.")
    return predicate


def parse_date_literal(text: str) -> tuple[datetime, datetime]:
    """The UTC interval ``[start, end)`` a date (whole day) or date-time (its minute/second) covers."""
    match = _DATE.match(text.strip())
    if match is None:
        raise QueryError(f"Invalid date value {text!r}; use the M/D/YYYY date format.")
    year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
    try:
        day = datetime(year, int(match["m"]), int(match["d"]), tzinfo=UTC)
    except ValueError as error:
        raise QueryError(f"Invalid date value {text!r}: {error}.") from None
    if match["h"] is None:
        return day, day + timedelta(days=1)
    hour, half = int(match["h"]), (match["ampm"] or "").lower()
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    start = day.replace(hour=hour, minute=int(match["min"]), second=int(match["s"] or 0))
    return start, start + (timedelta(seconds=1) if match["s"] else timedelta(minutes=1))


def _tokenize(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"Cannot read the query from position {position}.")
        tokens.append(match.group(match.lastgroup or "word"))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise QueryError("The query ends too early.")
        self.position += 1
        return token

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while (self.peek() or "").upper() == "OR":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else lambda record: any(part(record) for part in parts)

    def conjunction(self) -> Predicate:
        parts = [self.term()]
        while (self.peek() or "").upper() == "AND":
            self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else lambda record: all(part(record) for part in parts)

    def term(self) -> Predicate:
        if self.peek() == "(":
            self.take()
            inner = self.disjunction()
            if self.take() != ")":
                raise QueryError("A parenthesis is not closed.")
            return inner
        field, operator = self.take(), self.take().upper()
        values = [] if operator in {"EMPTY", "EMPTY_NOT"} else self.values()
        return _condition(field, operator, values)

    def values(self) -> list[str]:
        """One value, or several separated by commas, optionally in ``[...]`` (or ``(...)``)."""
        closing = {"[": "]", "(": ")"}.get(self.peek() or "")
        if closing:
            self.take()
        values = [_literal(self.take())]
        while self.peek() == ",":
            self.take()
            values.append(_literal(self.take()))
        if closing and self.take() != closing:
            raise QueryError(f"A value list is not closed with {closing!r}.")
        return values


def _literal(token: str) -> str:
    if token in {"(", ")", "[", "]", ","}:
        raise QueryError(f"Expected a value, found {token!r}.")
    return token[1:-1] if token.startswith('"') else token


def _condition(field: str, operator: str, values: list[str]) -> Predicate:
    negated = operator.endswith("_NOT") and operator not in {"EMPTY_NOT", "IS_NOT"}
    base = operator.removesuffix("_NOT") if negated else operator
    test = _test(base, values)

    def predicate(record: Record) -> bool:
        value = _field(record, field)
        return not test(value) if negated else test(value)

    return predicate


def _test(operator: str, values: list[str]) -> Callable[[object], bool]:
    if operator in {"EMPTY", "EMPTY_NOT"}:
        return lambda value: (value in (None, "")) == (operator == "EMPTY")
    if operator in {"IS", "IS_NOT"}:
        return lambda value: _same(value, values[0]) == (operator == "IS")
    if operator in _DATE_OPERATORS:
        return _date_test(operator, parse_date_literal(values[0]))
    if operator == "WITHIN" and _DATE.match(values[0].strip()):
        start, end = parse_date_literal(values[0])[0], parse_date_literal(values[-1])[1]
        return lambda value: (moment := _moment(value)) is not None and start <= moment < end
    if operator in _NUMBER_OPERATORS | _RANGE_OPERATORS | {"ANY_OF"}:
        return _number_test(operator, [_number(value) for value in values])
    if operator in _STRING_OPERATORS:
        return _string_test(operator, values[0].lower())
    raise QueryError(f"Unsupported operator {operator!r}.")


def _date_test(operator: str, interval: tuple[datetime, datetime]) -> Callable[[object], bool]:
    start, end = interval
    checks: Mapping[str, Callable[[datetime], bool]] = {
        "AFTER": lambda moment: moment >= end,
        "BEFORE": lambda moment: moment < start,
        "ON": lambda moment: start <= moment < end,
        "ON_OR_AFTER": lambda moment: moment >= start,
        "ON_OR_BEFORE": lambda moment: moment < end,
    }
    check = checks[operator]
    return lambda value: (moment := _moment(value)) is not None and check(moment)


def _number_test(operator: str, numbers: list[Decimal]) -> Callable[[object], bool]:
    def test(value: object) -> bool:
        try:
            actual = _number(str(value))
        except QueryError:
            return False
        first = numbers[0]
        return {
            "EQUAL": actual == first,
            "GREATER": actual > first,
            "GREATER_OR_EQUAL": actual >= first,
            "LESS": actual < first,
            "LESS_OR_EQUAL": actual <= first,
            "BETWEEN": first <= actual <= numbers[-1],
            "WITHIN": first <= actual <= numbers[-1],
            "ANY_OF": actual in numbers,
        }[operator]

    return test


def _string_test(operator: str, wanted: str) -> Callable[[object], bool]:
    def test(value: object) -> bool:
        text = "" if value is None else str(value).lower()
        if operator == "CONTAIN":
            return wanted in text
        if operator == "START_WITH":
            return text.startswith(wanted)
        if operator in {"END_WITH", "ENDWITH"}:
            return text.endswith(wanted)
        return text == wanted

    return test


def _field(record: Record, name: str) -> object:
    lowered = name.lower()
    value = next((value for key, value in record.items() if key.lower() == lowered), None)
    if isinstance(value, dict):
        return value.get("id")  # a reference compares by its internal id
    return value


def _same(value: object, literal: str) -> bool:
    if isinstance(value, bool):
        return value == (literal.lower() in {"true", "t"})
    return value is not None and str(value).lower() == literal.lower()


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise QueryError(f"Invalid number {text!r}.") from None
