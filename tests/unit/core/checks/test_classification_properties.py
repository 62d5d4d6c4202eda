"""Properties of soft drift vs hard conflict vs missing across grace windows and tolerances."""

from datetime import timedelta
from decimal import Decimal
from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from shared.core.checks import default_registry
from shared.core.checks.builtin.presence import PresenceCheck
from shared.core.checks.builtin.product_inventory import CHECKS as INVENTORY
from shared.core.checks.builtin.product_pricing import CHECKS as PRICING
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityType, Money, System
from shared.core.policy import Policy, load_policy
from tests.unit.core.checks.builders import NOW, customer, entity, product

SH, NS = System.SHOPIFY, System.NETSUITE
minutes = st.integers(min_value=0, max_value=600)


@cache
def _policy(quantity: int, money_cents: int, grace_minutes: int) -> Policy:
    return load_policy(
        f"""
name = "prop"
version = 1
[entities.product.fields.inventory_quantity]
owner = "shopify"
tolerance = {{ quantity = {quantity} }}
[entities.product.fields.price]
owner = "netsuite"
tolerance = {{ money = "{Decimal(money_cents) / 100}" }}
[entities.product.dimensions.product_inventory]
grace_seconds = {grace_minutes * 60}
[entities.product.dimensions.product_pricing]
grace_seconds = {grace_minutes * 60}
[entities.customer.dimensions.presence]
grace_seconds = {grace_minutes * 60}
[[entities.customer.expect]]
system = "netsuite"
when_present = "shopify"
""",
        "prop.toml",
    )


def _expected(gap: int, tolerance: int, age: int, grace: int) -> DiscrepancyKind | None:
    if gap == 0:
        return None
    if gap <= tolerance or age < grace:
        return DiscrepancyKind.SOFT_DRIFT
    return DiscrepancyKind.HARD_CONFLICT


@given(
    shopify=st.integers(0, 50),
    netsuite=st.integers(0, 50),
    tolerance=st.integers(0, 5),
    age=minutes,
    grace=minutes,
)
def test_inventory_is_soft_within_tolerance_or_grace_and_hard_otherwise(
    shopify: int, netsuite: int, tolerance: int, age: int, grace: int
) -> None:
    changed = timedelta(minutes=age)
    subject = entity(
        product(SH, inventory_quantity=shopify, changed_ago=changed),
        product(NS, inventory_quantity=netsuite, changed_ago=changed + timedelta(hours=1)),
    )

    findings = INVENTORY[0].evaluate(subject, _policy(tolerance, 0, grace), NOW)

    expected = _expected(abs(shopify - netsuite), tolerance, age, grace)
    assert [f.kind for f in findings] == ([expected] if expected else [])


@given(
    shopify_cents=st.integers(0, 10_000),
    netsuite_cents=st.integers(0, 10_000),
    tolerance=st.integers(0, 50),
    age=minutes,
    grace=minutes,
)
def test_price_is_soft_within_money_tolerance_or_grace_and_hard_otherwise(
    shopify_cents: int, netsuite_cents: int, tolerance: int, age: int, grace: int
) -> None:
    subject = entity(
        product(SH, price=Money.of(Decimal(shopify_cents) / 100, "USD"), changed_ago=timedelta(minutes=age)),
        product(NS, price=Money.of(Decimal(netsuite_cents) / 100, "USD"), changed_ago=timedelta(minutes=age)),
    )

    findings = PRICING[0].evaluate(subject, _policy(0, tolerance, grace), NOW)

    expected = _expected(abs(shopify_cents - netsuite_cents), tolerance, age, grace)
    assert [f.kind for f in findings] == ([expected] if expected else [])


@given(
    shopify=st.integers(0, 50),
    netsuite=st.integers(0, 50),
    age=minutes,
    grace=minutes,
    agreed_before=st.integers(1, 600),
)
def test_real_difference_after_both_sides_changed_since_agreeing_is_hard_whatever_the_grace(
    shopify: int, netsuite: int, age: int, grace: int, agreed_before: int
) -> None:
    changed = timedelta(minutes=age)
    subject = entity(
        product(SH, inventory_quantity=shopify, changed_ago=changed),
        product(NS, inventory_quantity=netsuite, changed_ago=changed),
        last_agreed_at={"product_inventory": NOW - changed - timedelta(minutes=agreed_before)},
    )

    findings = INVENTORY[0].evaluate(subject, _policy(0, 0, grace), NOW)

    assert [f.kind for f in findings] == ([DiscrepancyKind.HARD_CONFLICT] if shopify != netsuite else [])


@given(age=minutes, grace=minutes, email=st.emails())
def test_absent_expected_representation_is_missing_whatever_the_grace(
    age: int, grace: int, email: str
) -> None:
    subject = entity(customer(SH, email=email.lower(), changed_ago=timedelta(minutes=age)))

    findings = PresenceCheck(EntityType.CUSTOMER).evaluate(subject, _policy(0, 0, grace), NOW)

    assert [f.kind for f in findings] == [DiscrepancyKind.MISSING]


@given(shopify=st.integers(0, 50), netsuite=st.integers(0, 50), age=minutes, grace=minutes)
def test_field_checks_never_report_missing(shopify: int, netsuite: int, age: int, grace: int) -> None:
    subject = entity(
        product(SH, inventory_quantity=shopify, changed_ago=timedelta(minutes=age)),
        product(NS, inventory_quantity=netsuite),
    )

    findings = default_registry().evaluate(subject, _policy(0, 0, grace), NOW, {"product_inventory"})

    assert DiscrepancyKind.MISSING not in {f.kind for f in findings}
