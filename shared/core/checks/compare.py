"""Comparing two canonical values under a tolerance, and classifying a disagreement.

Values are whatever the canonical model holds: ``Money``, ``int``, ``bool``, text, enums, tuples of
addresses. Empty means ``None``, ``""`` or an empty tuple.
"""

from datetime import datetime, timedelta
from enum import IntEnum

from pydantic import BaseModel

from shared.core.findings import DiscrepancyKind
from shared.core.model import Money
from shared.core.policy.model import TextComparison, Tolerance


class Agreement(IntEnum):
    """How far two values are apart, ordered from agreeing to disagreeing."""

    EQUAL = 0
    FORMATTING = 1
    """Equal after normalisation (case, whitespace, sub-cent digits)."""
    WITHIN_TOLERANCE = 2
    DIFFERENT = 3


def is_empty(value: object) -> bool:
    """Whether ``value`` holds nothing."""
    return value is None or value in ("", ())


def render(value: object) -> str | None:
    """The value as text for evidence and explanations (``None`` when empty)."""
    if is_empty(value):
        return None
    if isinstance(value, tuple):
        return "; ".join(r for r in (render(item) for item in value) if r)
    if isinstance(value, Money):
        return str(value.quantized())
    if isinstance(value, BaseModel):
        parts = (str(v).strip() for v in value.model_dump(mode="json").values() if v is not None)
        return ", ".join(part for part in parts if part)
    return str(value)


def compare(left: object, right: object, tolerance: Tolerance) -> Agreement:
    """How far apart ``left`` and ``right`` are under ``tolerance``; symmetric."""
    if is_empty(left) or is_empty(right):
        return Agreement.EQUAL if is_empty(left) and is_empty(right) else Agreement.DIFFERENT
    if isinstance(left, Money) and isinstance(right, Money):
        return _compare_money(left, right, tolerance)
    if isinstance(left, bool) or isinstance(right, bool):
        return Agreement.EQUAL if left == right else Agreement.DIFFERENT
    if isinstance(left, int) and isinstance(right, int):
        gap = abs(left - right)
        if gap == 0:
            return Agreement.EQUAL
        return Agreement.WITHIN_TOLERANCE if gap <= tolerance.quantity else Agreement.DIFFERENT
    return _compare_text(render(left) or "", render(right) or "", tolerance.text)


def _compare_money(left: Money, right: Money, tolerance: Tolerance) -> Agreement:
    if left.currency != right.currency:
        return Agreement.DIFFERENT
    if left.amount == right.amount:
        return Agreement.EQUAL
    gap = abs(left.quantized().amount - right.quantized().amount)
    if gap == 0:
        return Agreement.FORMATTING
    return Agreement.WITHIN_TOLERANCE if gap <= tolerance.money else Agreement.DIFFERENT


def _compare_text(left: str, right: str, mode: TextComparison) -> Agreement:
    if left == right:
        return Agreement.EQUAL
    if mode is TextComparison.NORMALIZED and normalize_text(left) == normalize_text(right):
        return Agreement.FORMATTING
    return Agreement.DIFFERENT


def normalize_text(text: str) -> str:
    """Case-folded, with whitespace runs collapsed to one space and trimmed."""
    return " ".join(text.casefold().split())


def classify(
    agreement: Agreement,
    *,
    newest_change: datetime,
    now: datetime,
    grace: timedelta,
    both_changed_since_agreement: bool,
    ignore_formatting: bool,
) -> DiscrepancyKind | None:
    """The kind of a disagreement on one field, ``None`` when there is none to report.

    Formatting-only and within-tolerance differences are soft drift (formatting is nothing with
    ``ignore_formatting``). A real difference is a hard conflict when both sides changed since they
    last agreed, else soft drift while the newest change is younger than ``grace``, else hard.
    """
    if agreement is Agreement.EQUAL or (agreement is Agreement.FORMATTING and ignore_formatting):
        return None
    if agreement is not Agreement.DIFFERENT:
        return DiscrepancyKind.SOFT_DRIFT
    if both_changed_since_agreement:
        return DiscrepancyKind.HARD_CONFLICT
    if now - newest_change < grace:
        return DiscrepancyKind.SOFT_DRIFT
    return DiscrepancyKind.HARD_CONFLICT


KIND_SEVERITY: dict[DiscrepancyKind, int] = {
    DiscrepancyKind.SOFT_DRIFT: 1,
    DiscrepancyKind.HARD_CONFLICT: 2,
    DiscrepancyKind.MISSING: 3,
}
"""Severity order: the kind of a multi-field finding is its most severe field's kind."""
