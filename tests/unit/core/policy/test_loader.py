from decimal import Decimal

import pytest

from shared.core.errors import PolicyError
from shared.core.model import EntityType, System
from shared.core.policy import ConflictStrategy, FollowerMode, TextComparison, default_policy, load_policy

VALID = """
name = "acme"
version = 3

[entities.customer.fields.email]
owner = "hubspot"
others = { netsuite = "propose" }
"""


def test_default_policy_loads_with_the_documented_owners() -> None:
    policy = default_policy()

    assert policy.label == "default@1"
    owners = {
        (EntityType.CUSTOMER, "email"): System.HUBSPOT,
        (EntityType.CUSTOMER, "credit_limit"): System.NETSUITE,
        (EntityType.PRODUCT, "price"): System.NETSUITE,
        (EntityType.PRODUCT, "inventory_quantity"): System.SHOPIFY,
        (EntityType.ORDER, "total"): System.SHOPIFY,
    }
    for (entity_type, field), owner in owners.items():
        assert policy.field_rule(entity_type, field).owner is owner, (entity_type, field)


def test_default_policy_switches_order_ownership_to_netsuite_once_fulfilled() -> None:
    rule = default_policy().field_rule(EntityType.ORDER, "financial_status")

    assert rule.owner_in("open") is System.SHOPIFY
    assert rule.owner_in("fulfilled") is System.NETSUITE


def test_valid_policy_loads_and_names_its_rules() -> None:
    policy = load_policy(VALID, "acme.toml")

    rule = policy.field_rule(EntityType.CUSTOMER, "email")
    assert rule.mode_of(System.NETSUITE) is FollowerMode.PROPOSE
    assert rule.mode_of(System.SHOPIFY) is FollowerMode.MIRROR
    assert rule.tolerance.text is TextComparison.NORMALIZED
    assert policy.rule_id(EntityType.CUSTOMER, "email") == "acme@3:customer.email"


def test_unlisted_field_falls_back_to_a_manual_rule_without_owner() -> None:
    rule = load_policy(VALID, "acme.toml").field_rule(EntityType.PRODUCT, "price")

    assert rule.owner is None
    assert rule.strategy is ConflictStrategy.MANUAL


def test_money_tolerance_given_as_string_is_exact_decimal() -> None:
    text = VALID + '\n[entities.product.fields.price]\nowner = "netsuite"\ntolerance = { money = "0.01" }\n'

    rule = load_policy(text, "acme.toml").field_rule(EntityType.PRODUCT, "price")

    assert rule.tolerance.money == Decimal("0.01")


HEADER = 'name = "acme"\nversion = 1\n'


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("name = ", "<document>", "invalid TOML"),
        ('name = "acme"\nversion = "one"\n', "version", "valid integer"),
        ("version = 1\n", "name", "Field required"),
        (HEADER + "[entities.custmer]\n", "entities.custmer", "'customer'"),
        (
            HEADER + '[entities.customer.fields.mail]\nowner = "hubspot"\n',
            "entities.customer.fields.mail",
            "no canonical field 'mail'",
        ),
        (
            HEADER
            + '[entities.customer.fields.email]\nowner = "hubspot"\nowner_by_state = { vip = "netsuite" }\n',
            "entities.customer.fields.email.owner_by_state.vip",
            "no lifecycle state 'vip'",
        ),
        (
            HEADER + '[entities.customer.fields.email]\nowner = "hubspot"\nothers = { hubspot = "mirror" }\n',
            "entities.customer.fields.email.others.hubspot",
            "cannot also be a follower",
        ),
        (
            HEADER + '[entities.customer.fields.email]\nstrategy = "owner_wins"\n',
            "entities.customer.fields.email.strategy",
            "needs an owner",
        ),
        (
            HEADER + '[entities.product.fields.price]\nowner = "netsuite"\ntolerance = { money = 0.01 }\n',
            "entities.product.fields.price.tolerance.money",
            "never as floats",
        ),
        (
            HEADER + '[entities.customer.fields.email]\nowner = "salesforce"\n',
            "entities.customer.fields.email.owner",
            "'hubspot'",
        ),
        (
            HEADER + '[entities.customer.fields.email]\nowner = "hubspot"\ncolour = "red"\n',
            "entities.customer.fields.email.colour",
            "Extra inputs",
        ),
        (
            HEADER + '[[entities.customer.expect]]\nsystem = "netsuite"\nstates = ["gold"]\n',
            "entities.customer.expect.0.states",
            "no lifecycle state 'gold'",
        ),
        (
            HEADER + "[entities.order.dimensions.order_totals]\ngrace_seconds = -1\n",
            "entities.order.dimensions.order_totals.grace_seconds",
            "greater than or equal to 0",
        ),
    ],
)
def test_invalid_policy_error_names_file_key_and_reason(text: str, key: str, reason: str) -> None:
    with pytest.raises(PolicyError) as raised:
        load_policy(text, "deploy/acme.toml")

    message = str(raised.value)
    assert message.startswith(f"deploy/acme.toml: {key}:"), message
    assert reason in message
