import pytest

from shared.core.checks import CheckRegistry, builtin_checks
from shared.core.findings import DiscrepancyKind
from shared.core.model import System
from shared.core.policy import default_policy
from tests.unit.core.checks import example_check
from tests.unit.core.checks.builders import NOW, entity, product

CASES = [
    ("same text", "Soft cotton tee", "Soft cotton tee", None),
    ("case and spacing only", "Soft cotton tee", "soft  cotton Tee", DiscrepancyKind.SOFT_DRIFT),
    ("different text", "Soft cotton tee", "Linen shirt", DiscrepancyKind.HARD_CONFLICT),
]


@pytest.mark.parametrize(("case_id", "shopify", "netsuite", "kind"), CASES, ids=[case[0] for case in CASES])
def test_product_description_check(
    case_id: str, shopify: str, netsuite: str, kind: DiscrepancyKind | None
) -> None:
    registry = CheckRegistry([*builtin_checks(), *example_check.CHECKS])
    subject = entity(
        product(System.SHOPIFY, description=shopify), product(System.NETSUITE, description=netsuite)
    )

    findings = registry.evaluate(subject, default_policy(), NOW, {"product_description"})

    assert [finding.kind for finding in findings] == ([kind] if kind else [])
