from datetime import timedelta

import pytest

from shared.core.checks import EntitySnapshots
from shared.core.checks.builtin.refund_credit_memo import CHECKS
from shared.core.findings import CreateMissing, DiscrepancyKind
from shared.core.model import Money, System
from shared.core.policy import default_policy
from tests.unit.core.checks.builders import NOW, entity, order

(CHECK,) = CHECKS
SH, NS = System.SHOPIFY, System.NETSUITE
REFUND = {"refunded_total"}


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def pair(
    shopify: str | None, netsuite: str | None, *, refund_ago: timedelta = timedelta(hours=2)
) -> EntitySnapshots:
    return entity(
        order(
            SH, refunded_total=usd(shopify) if shopify else None, represented=REFUND, changed_ago=refund_ago
        ),
        order(NS, refunded_total=usd(netsuite) if netsuite else None, represented=REFUND),
    )


CASES = [
    ("no refund, no memo", pair(None, None), None),
    ("zero refund, no memo", pair("0.00", None), None),
    ("refund with its memo", pair("10.00", "10"), None),
    (
        "refund without memo, inside grace",
        pair("10.00", None, refund_ago=timedelta(minutes=10)),
        DiscrepancyKind.SOFT_DRIFT,
    ),
    ("refund without memo, after grace", pair("10.00", None), DiscrepancyKind.MISSING),
    ("memo for a different amount", pair("10.00", "7.50"), DiscrepancyKind.HARD_CONFLICT),
]


@pytest.mark.parametrize(("case_id", "subject", "kind"), CASES, ids=[c[0] for c in CASES])
def test_refund_has_its_credit_memo(
    case_id: str, subject: EntitySnapshots, kind: DiscrepancyKind | None
) -> None:
    findings = CHECK.evaluate(subject, default_policy(), NOW)

    assert [f.kind for f in findings] == ([kind] if kind else [])
    for finding in findings:
        create = CreateMissing(source=SH, target=NS)
        assert (finding.suggested_actions[0] == create) is (kind is DiscrepancyKind.MISSING)
