from typing import Any

import pytest

from shared.core.checks.builtin.product_catalog import CHECKS
from shared.core.findings import DiscrepancyKind
from shared.core.model import System
from shared.core.policy import default_policy
from tests.unit.core.checks.builders import NOW, entity, product

(CHECK,) = CHECKS
SH, NS = System.SHOPIFY, System.NETSUITE

CASES = [
    ("same", {"sku": "TS-1", "title": "Tee"}, {"sku": "TS-1", "title": "Tee"}, None, ()),
    (
        "sku case is a real difference (exact)",
        {"sku": "ts-1"},
        {"sku": "TS-1"},
        DiscrepancyKind.HARD_CONFLICT,
        ("sku",),
    ),
    (
        "title case is formatting (normalized)",
        {"title": "Blue  Tee"},
        {"title": "blue tee"},
        DiscrepancyKind.SOFT_DRIFT,
        ("title",),
    ),
    ("active flag", {"active": True}, {"active": False}, DiscrepancyKind.HARD_CONFLICT, ("active",)),
]


@pytest.mark.parametrize(
    ("case_id", "shopify", "netsuite", "kind", "fields"), CASES, ids=[c[0] for c in CASES]
)
def test_product_catalog_compares_text_exactly_or_normalized_per_policy(
    case_id: str,
    shopify: dict[str, Any],
    netsuite: dict[str, Any],
    kind: DiscrepancyKind | None,
    fields: tuple[str, ...],
) -> None:
    subject = entity(product(SH, **shopify), product(NS, **netsuite))

    findings = CHECK.evaluate(subject, default_policy(), NOW)

    assert [(f.kind, f.fields) for f in findings] == ([(kind, fields)] if kind else [])
