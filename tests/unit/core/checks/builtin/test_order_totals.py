from datetime import timedelta

import pytest

from shared.core.checks import EntitySnapshots
from shared.core.checks.builtin.order_totals import CHECKS
from shared.core.findings import DiscrepancyKind
from shared.core.model import Money, System
from shared.core.policy import default_policy
from shared.core.snapshot import OrderSnapshot
from tests.unit.core.checks.builders import NOW, entity, order

(CHECK,) = CHECKS
SH, NS, HS = System.SHOPIFY, System.NETSUITE, System.HUBSPOT
PARTS = {"subtotal", "tax", "shipping"}


def usd(amount: str, currency: str = "USD") -> Money:
    return Money.of(amount, currency)


def netsuite_parts(subtotal: str, tax: str, shipping: str, currency: str = "usd") -> OrderSnapshot:
    return order(
        NS,
        subtotal=usd(subtotal, currency),
        tax=usd(tax, currency),
        shipping=usd(shipping, currency),
        represented=PARTS,
    )


CASES = [
    (
        "total equals subtotal + tax + shipping",
        entity(order(SH, total=usd("110.00")), netsuite_parts("100", "7.5", "2.5")),
        None,
    ),
    (
        "currency code case is normalised",
        entity(order(SH, total=usd("110", "USD")), netsuite_parts("100", "7.5", "2.5", "usd")),
        None,
    ),
    (
        "missing shipping in NetSuite",
        entity(order(SH, total=usd("110.00")), netsuite_parts("100", "7.5", "0")),
        DiscrepancyKind.HARD_CONFLICT,
    ),
    (
        "totals on both sides differ",
        entity(order(SH, total=usd("110.00")), order(NS, total=usd("109.00"))),
        DiscrepancyKind.HARD_CONFLICT,
    ),
    (
        "recent change may still converge",
        entity(
            order(SH, total=usd("110.00"), changed_ago=timedelta(minutes=3)), order(NS, total=usd("100.00"))
        ),
        DiscrepancyKind.SOFT_DRIFT,
    ),
    (
        "different currencies",
        entity(order(SH, total=usd("110")), order(NS, total=usd("110", "EUR"))),
        DiscrepancyKind.HARD_CONFLICT,
    ),
    ("NetSuite holds no amounts", entity(order(SH, total=usd("110")), order(NS, order_number="SO-1")), None),
    (
        "HubSpot is not part of this invariant",
        entity(order(SH, total=usd("110")), order(HS, total=usd("1"))),
        None,
    ),
]


@pytest.mark.parametrize(("case_id", "subject", "kind"), CASES, ids=[c[0] for c in CASES])
def test_order_totals_compare_meaning_after_tax_shipping_and_currency(
    case_id: str, subject: EntitySnapshots, kind: DiscrepancyKind | None
) -> None:
    findings = CHECK.evaluate(subject, default_policy(), NOW)

    assert [f.kind for f in findings] == ([kind] if kind else [])
    assert all(f.fields == ("total",) and f.verdict.owner is SH for f in findings)
