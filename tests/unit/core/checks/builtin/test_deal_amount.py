import pytest

from shared.core.checks import EntitySnapshots
from shared.core.checks.builtin.deal_amount import CHECKS
from shared.core.findings import DiscrepancyKind
from shared.core.model import FulfillmentStatus, Money, System
from shared.core.policy import default_policy
from tests.unit.core.checks.builders import NOW, entity, order

(CHECK,) = CHECKS
SH, NS, HS = System.SHOPIFY, System.NETSUITE, System.HUBSPOT
DONE = FulfillmentStatus.FULFILLED


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


CASES = [
    (
        "deal equals order total",
        entity(order(HS, total=usd("110")), order(SH, total=usd("110.00"))),
        None,
        None,
    ),
    (
        "deal differs from Shopify's total",
        entity(order(HS, total=usd("100")), order(SH, total=usd("110"))),
        SH,
        SH,
    ),
    (
        "fulfilled: compared with NetSuite's total",
        entity(
            order(HS, total=usd("100")),
            order(SH, total=usd("100"), fulfillment_status=DONE),
            order(NS, total=usd("120"), fulfillment_status=DONE),
        ),
        NS,
        NS,
    ),
    # Shopify owns an open order's total but is absent: compare with NetSuite, leave the verdict open.
    (
        "only NetSuite holds the order",
        entity(order(HS, total=usd("100")), order(NS, total=usd("120"))),
        NS,
        None,
    ),
    ("no deal", entity(order(SH, total=usd("100")), order(NS, total=usd("120"))), None, None),
]


@pytest.mark.parametrize(("case_id", "subject", "counterpart", "owner"), CASES, ids=[c[0] for c in CASES])
def test_deal_amount_equals_the_order_total_of_its_owner(
    case_id: str, subject: EntitySnapshots, counterpart: System | None, owner: System | None
) -> None:
    findings = CHECK.evaluate(subject, default_policy(), NOW)

    if counterpart is None:
        assert findings == ()
        return
    (finding,) = findings
    assert finding.kind is DiscrepancyKind.HARD_CONFLICT
    assert {v.system for v in finding.values} == {HS, counterpart}
    assert next(v.value for v in finding.values if v.system is HS) == "100.00 USD"
    assert finding.verdict.owner is owner
