"""A HubSpot deal's amount equals its order's total (as the order's current owner states it)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.core.checks.base import EntitySnapshots
from shared.core.checks.fields import FieldSpec, compare_field
from shared.core.checks.orders import order_total, represents_total
from shared.core.checks.report import field_finding
from shared.core.findings import Finding
from shared.core.model import EntityType, System
from shared.core.policy.model import Policy

_COMMERCE = (System.SHOPIFY, System.NETSUITE)


@dataclass(frozen=True)
class DealAmountCheck:
    """Compares HubSpot with one commerce platform only (the total's owner in the order's state, else
    whichever holds the order), so a Shopify/NetSuite gap is reported once, by ``order_totals``."""

    name: str = "deal_amount"
    dimension: str = "deal_amount"
    entity_type: EntityType = EntityType.ORDER
    fields: tuple[str, ...] = ("total",)

    def evaluate(self, entity: EntitySnapshots, policy: Policy, now: datetime) -> Sequence[Finding]:
        """The finding when HubSpot's deal amount differs from the order total."""
        if entity.entity_type is not self.entity_type or System.HUBSPOT not in entity.live:
            return ()
        owner = policy.field_rule(self.entity_type, "total").owner_in(entity.state.value)
        candidates = [owner, *_COMMERCE] if owner in _COMMERCE else list(_COMMERCE)
        counterpart = next((system for system in candidates if system in entity.live), None)
        if counterpart is None:
            return ()
        spec = FieldSpec(
            "total",
            extract=order_total,
            represents=represents_total,
            systems=frozenset({System.HUBSPOT, counterpart}),
        )
        diff = compare_field(entity, policy, now, self.dimension, spec)
        if diff is None:
            return ()
        finding = field_finding(
            check=self.name,
            dimension=self.dimension,
            entity_id=entity.entity_id,
            entity_type=self.entity_type,
            diffs=[diff],
            policy=policy,
            now=now,
        )
        return (finding,)


CHECKS = (DealAmountCheck(),)
