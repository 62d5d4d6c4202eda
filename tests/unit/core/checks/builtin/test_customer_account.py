import pytest

from shared.core.checks import EntitySnapshots
from shared.core.checks.builtin.customer_account import CHECKS
from shared.core.findings import DiscrepancyKind
from shared.core.model import LifecycleStage, Money, System
from shared.core.policy import default_policy
from tests.unit.core.checks.builders import NOW, customer, entity

(CHECK,) = CHECKS
HS, SH, NS = System.HUBSPOT, System.SHOPIFY, System.NETSUITE
LEAD, CUSTOMER = LifecycleStage.LEAD, LifecycleStage.CUSTOMER

CASES = [
    # Before NetSuite holds the customer, HubSpot owns the stage (Shopify made to hold one for the test).
    (
        "prospect: HubSpot owns the stage",
        entity(customer(HS, lifecycle_stage=LEAD), customer(SH, lifecycle_stage=CUSTOMER)),
        DiscrepancyKind.HARD_CONFLICT,
        ("lifecycle_stage",),
        HS,
    ),
    (
        "in NetSuite: NetSuite owns the stage",
        entity(customer(HS, lifecycle_stage=LEAD), customer(NS, lifecycle_stage=CUSTOMER)),
        DiscrepancyKind.HARD_CONFLICT,
        ("lifecycle_stage",),
        NS,
    ),
    (
        "credit limit owned by NetSuite",
        entity(
            customer(HS, credit_limit=Money.of("500", "USD")),
            customer(NS, credit_limit=Money.of("1000", "USD")),
        ),
        DiscrepancyKind.HARD_CONFLICT,
        ("credit_limit",),
        NS,
    ),
    (
        "Shopify ignores credit limits",
        entity(
            customer(SH, credit_limit=Money.of("1", "USD")),
            customer(NS, credit_limit=Money.of("1000", "USD")),
        ),
        None,
        (),
        None,
    ),
    (
        "agreeing stage",
        entity(customer(HS, lifecycle_stage=CUSTOMER), customer(NS, lifecycle_stage=CUSTOMER)),
        None,
        (),
        None,
    ),
]


@pytest.mark.parametrize(("case_id", "subject", "kind", "fields", "owner"), CASES, ids=[c[0] for c in CASES])
def test_customer_account_ownership_follows_the_lifecycle(
    case_id: str,
    subject: EntitySnapshots,
    kind: DiscrepancyKind | None,
    fields: tuple[str, ...],
    owner: System | None,
) -> None:
    findings = CHECK.evaluate(subject, default_policy(), NOW)

    assert [f.kind for f in findings] == ([kind] if kind else [])
    for finding in findings:
        assert finding.fields == fields
        assert finding.verdict.owner is owner
        assert finding.verdict.policy == f"default@1:customer.{fields[0]}"
