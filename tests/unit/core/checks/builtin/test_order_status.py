import pytest

from shared.core.checks.builtin.order_status import CHECKS
from shared.core.findings import DiscrepancyKind, SyncDirection
from shared.core.model import FinancialStatus, FulfillmentStatus, System
from shared.core.policy import default_policy
from tests.unit.core.checks.builders import NOW, entity, order

(CHECK,) = CHECKS
SH, NS = System.SHOPIFY, System.NETSUITE
PAID, REFUNDED = FinancialStatus.PAID, FinancialStatus.REFUNDED
OPEN, DONE = FulfillmentStatus.UNFULFILLED, FulfillmentStatus.FULFILLED

CASES = [
    ("agree", (PAID, OPEN), (PAID, OPEN), None, None),
    ("open order: Shopify owns", (REFUNDED, OPEN), (PAID, OPEN), ("financial_status",), SH),
    ("fulfilled order: NetSuite owns", (REFUNDED, DONE), (PAID, DONE), ("financial_status",), NS),
    (
        "fulfilled on one side: NetSuite owns both fields",
        (PAID, DONE),
        (PAID, OPEN),
        ("fulfillment_status",),
        NS,
    ),
]


@pytest.mark.parametrize(
    ("case_id", "shopify", "netsuite", "fields", "owner"), CASES, ids=[c[0] for c in CASES]
)
def test_order_status_owner_switches_to_netsuite_once_fulfilled(
    case_id: str,
    shopify: tuple[FinancialStatus, FulfillmentStatus],
    netsuite: tuple[FinancialStatus, FulfillmentStatus],
    fields: tuple[str, ...] | None,
    owner: System | None,
) -> None:
    subject = entity(
        order(SH, financial_status=shopify[0], fulfillment_status=shopify[1]),
        order(NS, financial_status=netsuite[0], fulfillment_status=netsuite[1]),
    )

    findings = CHECK.evaluate(subject, default_policy(), NOW)

    if fields is None:
        assert findings == ()
        return
    (finding,) = findings
    assert finding.kind is DiscrepancyKind.HARD_CONFLICT
    assert finding.fields == fields
    assert finding.verdict.owner is owner
    assert isinstance(finding.suggested_actions[0], SyncDirection)
    assert finding.suggested_actions[0].source is owner
