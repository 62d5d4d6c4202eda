import pytest

from shared.core.checks import EntitySnapshots
from shared.core.checks.builtin.presence import CHECKS, PresenceCheck
from shared.core.findings import CreateMissing, DiscrepancyKind, LinkRecords, SuggestedAction
from shared.core.model import EntityType, System
from shared.core.policy import default_policy
from tests.unit.core.checks.builders import NOW, customer, entity, order, product

CHECK = next(c for c in CHECKS if c.entity_type is EntityType.CUSTOMER)
HS, SH, NS = System.HUBSPOT, System.SHOPIFY, System.NETSUITE
EMAIL = "jane@acme.example"
NS_CANDIDATE = customer(NS, email=EMAIL)

CASES: list[tuple[str, EntitySnapshots, set[System], list[SuggestedAction]]] = [
    (
        "everywhere",
        entity(customer(HS, email=EMAIL), customer(SH, email=EMAIL), customer(NS, email=EMAIL)),
        set(),
        [],
    ),
    ("prospect only in HubSpot", entity(customer(HS, email=EMAIL)), set(), []),
    (
        "Shopify customer without orders: HubSpot expected",
        entity(customer(SH, email=EMAIL)),
        {HS},
        [CreateMissing(source=SH, target=HS)],
    ),
    (
        "Shopify customer with orders: NetSuite expected too",
        entity(customer(SH, email=EMAIL), customer(HS, email=EMAIL), order_count=3),
        {NS},
        [CreateMissing(source=SH, target=NS)],
    ),
    (
        "deleted in NetSuite",
        entity(
            customer(SH, email=EMAIL),
            customer(HS, email=EMAIL),
            customer(NS, email=EMAIL, deleted=True),
            order_count=1,
        ),
        {NS},
        [CreateMissing(source=SH, target=NS)],
    ),
    (
        "unlinked candidate in NetSuite",
        entity(
            customer(SH, email=EMAIL), customer(HS, email=EMAIL), NS_CANDIDATE, linked={SH, HS}, order_count=1
        ),
        {NS},
        [LinkRecords(ref=NS_CANDIDATE.ref, confidence=0.5)],
    ),
]


@pytest.mark.parametrize(("case_id", "subject", "missing", "actions"), CASES, ids=[c[0] for c in CASES])
def test_customer_presence_reports_expected_but_absent_platforms(
    case_id: str, subject: EntitySnapshots, missing: set[System], actions: list[SuggestedAction]
) -> None:
    findings = CHECK.evaluate(subject, default_policy(), NOW)

    if not missing:
        assert findings == ()
        return
    (finding,) = findings
    assert finding.kind is DiscrepancyKind.MISSING
    assert finding.fields == ()
    assert {v.system for v in finding.values if v.value is None} == missing
    assert list(finding.suggested_actions[: len(actions)]) == actions
    assert finding.verdict.policy.startswith("default@1:customer.expect.")


def test_deleted_representation_is_explained_as_deleted() -> None:
    subject = entity(
        customer(SH, email=EMAIL), customer(HS, email=EMAIL), customer(NS, deleted=True), order_count=1
    )

    (finding,) = CHECK.evaluate(subject, default_policy(), NOW)

    assert "NetSuite is deleted but expected while in Shopify" in finding.explanation


@pytest.mark.parametrize(
    ("subject", "missing"),
    [
        (entity(product(NS, sku="TS-1", active=True)), SH),
        (entity(product(SH, sku="TS-1")), NS),
        (entity(order(SH, order_number="1001")), NS),
    ],
)
def test_products_and_orders_are_expected_where_the_default_policy_says(
    subject: EntitySnapshots, missing: System
) -> None:
    (finding,) = PresenceCheck(subject.entity_type).evaluate(subject, default_policy(), NOW)

    assert [v.system for v in finding.values if v.value is None] == [missing]


def test_inactive_netsuite_item_need_not_be_in_shopify() -> None:
    subject = entity(product(NS, sku="TS-1", active=False))

    assert PresenceCheck(EntityType.PRODUCT).evaluate(subject, default_policy(), NOW) == ()
