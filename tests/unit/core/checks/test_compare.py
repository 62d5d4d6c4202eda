from datetime import timedelta
from decimal import Decimal

import pytest

from shared.core.checks.compare import Agreement, classify, compare, render
from shared.core.findings import DiscrepancyKind
from shared.core.model import Address, LifecycleStage, Money
from shared.core.policy import TextComparison, Tolerance
from tests.unit.core.checks.builders import NOW

EXACT = Tolerance(text=TextComparison.EXACT)
LOOSE = Tolerance(money=Decimal("0.05"), quantity=3)


@pytest.mark.parametrize(
    ("left", "right", "tolerance", "expected"),
    [
        (None, "", Tolerance(), Agreement.EQUAL),
        ((), None, Tolerance(), Agreement.EQUAL),
        (None, "x", Tolerance(), Agreement.DIFFERENT),
        ("Jane  Doe", "jane doe", Tolerance(), Agreement.FORMATTING),
        ("Jane  Doe", "jane doe", EXACT, Agreement.DIFFERENT),
        (Money.of("1.001", "USD"), Money.of("1.00", "USD"), Tolerance(), Agreement.FORMATTING),
        (Money.of("1.04", "USD"), Money.of("1.00", "USD"), LOOSE, Agreement.WITHIN_TOLERANCE),
        (Money.of("1.06", "USD"), Money.of("1.00", "USD"), LOOSE, Agreement.DIFFERENT),
        (Money.of("1", "USD"), Money.of("1", "EUR"), LOOSE, Agreement.DIFFERENT),
        (5, 8, LOOSE, Agreement.WITHIN_TOLERANCE),
        (5, 9, LOOSE, Agreement.DIFFERENT),
        (True, 1, LOOSE, Agreement.EQUAL),
        (True, False, LOOSE, Agreement.DIFFERENT),
        (LifecycleStage.LEAD, "lead", Tolerance(), Agreement.EQUAL),
        (
            (Address(city="Berlin", country="DE"),),
            (Address(city="berlin ", country="DE"),),
            Tolerance(),
            Agreement.FORMATTING,
        ),
    ],
)
def test_compare_grades_how_far_apart_two_values_are(
    left: object, right: object, tolerance: Tolerance, expected: Agreement
) -> None:
    assert compare(left, right, tolerance) is expected
    assert compare(right, left, tolerance) is expected


def test_render_money_to_its_minor_unit_and_addresses_as_text() -> None:
    assert render(Money.of("5", "JPY")) == "5 JPY"
    assert render(Money.of("5", "USD")) == "5.00 USD"
    assert (
        render((Address(line1="1 Main St", city="Springfield", country="US"),))
        == "1 Main St, Springfield, US"
    )
    assert render(()) is None


@pytest.mark.parametrize(
    ("agreement", "age_minutes", "both_changed", "ignore_formatting", "expected"),
    [
        (Agreement.EQUAL, 60, True, False, None),
        (Agreement.FORMATTING, 60, False, True, None),
        (Agreement.FORMATTING, 60, True, False, DiscrepancyKind.SOFT_DRIFT),
        (Agreement.WITHIN_TOLERANCE, 60, True, False, DiscrepancyKind.SOFT_DRIFT),
        (Agreement.DIFFERENT, 5, False, False, DiscrepancyKind.SOFT_DRIFT),
        (Agreement.DIFFERENT, 5, True, False, DiscrepancyKind.HARD_CONFLICT),
        (Agreement.DIFFERENT, 15, False, False, DiscrepancyKind.HARD_CONFLICT),
    ],
)
def test_classify_by_gap_grace_and_concurrent_change(
    agreement: Agreement,
    age_minutes: int,
    both_changed: bool,
    ignore_formatting: bool,
    expected: DiscrepancyKind | None,
) -> None:
    kind = classify(
        agreement,
        newest_change=NOW - timedelta(minutes=age_minutes),
        now=NOW,
        grace=timedelta(minutes=15),
        both_changed_since_agreement=both_changed,
        ignore_formatting=ignore_formatting,
    )

    assert kind is expected
