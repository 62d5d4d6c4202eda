"""Every Shopify refund has its NetSuite credit memo, for the same amount."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.core.checks.base import EntitySnapshots
from shared.core.checks.field_check import FieldConsistencyCheck
from shared.core.checks.fields import FieldSpec
from shared.core.checks.orders import refunded
from shared.core.checks.report import field_finding
from shared.core.findings import CreateMissing, DiscrepancyKind, Finding
from shared.core.model import EntityType, System
from shared.core.policy.model import Policy

_SPEC = FieldSpec("refunded_total", extract=refunded, systems=frozenset({System.SHOPIFY, System.NETSUITE}))


@dataclass(frozen=True)
class RefundCreditMemoCheck:
    """Compares refunded amounts; a refund with no credit memo at all is ``missing`` once the grace
    window has passed (soft drift before: the memo is created asynchronously)."""

    name: str = "refund_credit_memo"
    dimension: str = "refund_credit_memo"
    entity_type: EntityType = EntityType.ORDER
    fields: tuple[str, ...] = ("refunded_total",)

    def evaluate(self, entity: EntitySnapshots, policy: Policy, now: datetime) -> Sequence[Finding]:
        """The finding when refunds and credit memos disagree."""
        compared = FieldConsistencyCheck(self.name, self.dimension, self.entity_type, (_SPEC,))
        diffs = compared.diffs(entity, policy, now) if entity.entity_type is self.entity_type else []
        if not diffs:
            return ()
        finding = field_finding(
            check=self.name,
            dimension=self.dimension,
            entity_id=entity.entity_id,
            entity_type=self.entity_type,
            diffs=diffs,
            policy=policy,
            now=now,
        )
        memo = next((v for v in finding.values if v.system is System.NETSUITE), None)
        if finding.kind is not DiscrepancyKind.HARD_CONFLICT or memo is None or memo.value is not None:
            return (finding,)
        create = CreateMissing(source=System.SHOPIFY, target=System.NETSUITE)
        missing = finding.model_copy(
            update={
                "kind": DiscrepancyKind.MISSING,
                "suggested_actions": (create, *finding.suggested_actions),
                "explanation": f"{finding.explanation}; the refund has no credit memo",
            }
        )
        return (missing,)


CHECKS = (RefundCreditMemoCheck(),)
