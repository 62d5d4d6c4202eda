import pytest

from shared.core.checks.builtin.product_inventory import CHECKS
from shared.core.findings import DiscrepancyKind
from shared.core.model import System
from shared.core.policy import default_policy, load_policy
from tests.unit.core.checks.builders import NOW, entity, product

(CHECK,) = CHECKS
SH, NS, HS = System.SHOPIFY, System.NETSUITE, System.HUBSPOT
PLUS_MINUS_2 = load_policy(
    'name = "t"\nversion = 1\n[entities.product.fields.inventory_quantity]\nowner = "shopify"\n'
    "tolerance = { quantity = 2 }\n",
    "t.toml",
)

CASES = [
    ("equal", 10, 10, 0, None),
    ("off by one, exact policy", 10, 9, 0, DiscrepancyKind.HARD_CONFLICT),
    ("off by two, within ± 2", 10, 8, 2, DiscrepancyKind.SOFT_DRIFT),
    ("off by three, beyond ± 2", 10, 7, 2, DiscrepancyKind.HARD_CONFLICT),
    ("zero against some", 0, 3, 2, DiscrepancyKind.HARD_CONFLICT),
]


@pytest.mark.parametrize(
    ("case_id", "shopify", "netsuite", "tolerance", "kind"), CASES, ids=[c[0] for c in CASES]
)
def test_product_inventory_compares_within_plus_minus_n(
    case_id: str, shopify: int, netsuite: int, tolerance: int, kind: DiscrepancyKind | None
) -> None:
    policy = PLUS_MINUS_2 if tolerance else default_policy()
    subject = entity(product(SH, inventory_quantity=shopify), product(NS, inventory_quantity=netsuite))

    findings = CHECK.evaluate(subject, policy, NOW)

    assert [f.kind for f in findings] == ([kind] if kind else [])
    assert all(f.verdict.owner is SH for f in findings)


def test_hubspot_inventory_is_ignored_by_default() -> None:
    subject = entity(product(SH, inventory_quantity=10), product(HS, inventory_quantity=99))

    assert CHECK.evaluate(subject, default_policy(), NOW) == ()
