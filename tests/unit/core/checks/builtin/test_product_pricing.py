import pytest

from shared.core.checks import EntitySnapshots
from shared.core.checks.builtin.product_pricing import CHECKS
from shared.core.findings import DiscrepancyKind
from shared.core.model import Money, System
from shared.core.policy import Policy, default_policy, load_policy
from tests.unit.core.checks.builders import NOW, entity, product

(CHECK,) = CHECKS
SH, NS = System.SHOPIFY, System.NETSUITE


def _policy(tolerance: str) -> Policy:
    return load_policy(
        f'name = "t"\nversion = 1\n[entities.product.fields.price]\nowner = "netsuite"\ntolerance = {tolerance}\n',
        "t.toml",
    )


def _prices(shopify: str, netsuite: str, shopify_currency: str = "USD") -> EntitySnapshots:
    return entity(
        product(SH, price=Money.of(shopify, shopify_currency)), product(NS, price=Money.of(netsuite, "USD"))
    )


CASES = [
    ("equal", _prices("27.99", "27.99"), default_policy(), None),
    (
        "same after rounding to the cent",
        _prices("27.994", "27.99"),
        default_policy(),
        DiscrepancyKind.SOFT_DRIFT,
    ),
    (
        "rounding-only difference ignored",
        _prices("27.994", "27.99"),
        _policy("{ ignore_formatting = true }"),
        None,
    ),
    ("a cent apart, to the cent", _prices("28.00", "27.99"), default_policy(), DiscrepancyKind.HARD_CONFLICT),
    (
        "a cent apart, within 0.01",
        _prices("28.00", "27.99"),
        _policy('{ money = "0.01" }'),
        DiscrepancyKind.SOFT_DRIFT,
    ),
    (
        "two cents apart, beyond 0.01",
        _prices("28.01", "27.99"),
        _policy('{ money = "0.01" }'),
        DiscrepancyKind.HARD_CONFLICT,
    ),
    ("other currency", _prices("27.99", "27.99", "EUR"), default_policy(), DiscrepancyKind.HARD_CONFLICT),
]


@pytest.mark.parametrize(("case_id", "subject", "policy", "kind"), CASES, ids=[c[0] for c in CASES])
def test_product_pricing_compares_money_to_the_cent_within_tolerance(
    case_id: str, subject: EntitySnapshots, policy: Policy, kind: DiscrepancyKind | None
) -> None:
    findings = CHECK.evaluate(subject, policy, NOW)

    assert [f.kind for f in findings] == ([kind] if kind else [])
    for finding in findings:
        assert finding.verdict.owner is NS
        assert finding.fields == ("price",)
