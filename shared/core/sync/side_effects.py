"""What the platforms do by themselves when Concord writes: one table, shown before approval."""

from dataclasses import dataclass
from typing import Final, Literal

from shared.core.model import EntityType, System
from shared.core.sync.model import PlannedWrite, SideEffect


@dataclass(frozen=True)
class _Rule:
    system: System
    entity_type: EntityType
    operation: Literal["update", "create"]
    fields: frozenset[str] | None
    """The rule applies when any of these fields is written (None: any write)."""
    description: str


SIDE_EFFECT_RULES: Final = (
    _Rule(System.HUBSPOT, EntityType.CUSTOMER, "create", None,
          "creating a HubSpot contact enrols it in active contact workflows and may notify its owner"),
    _Rule(System.HUBSPOT, EntityType.CUSTOMER, "update", frozenset({"lifecycle_stage", "email"}),
          "HubSpot workflows triggered by lifecycle stage or email changes may run"),
    _Rule(System.HUBSPOT, EntityType.ORDER, "create", None,
          "a new HubSpot deal enters its pipeline's automation"),
    _Rule(System.SHOPIFY, EntityType.CUSTOMER, "update", frozenset({"email", "phone"}),
          "Shopify may email the customer about the change to their account contact details"),
    _Rule(System.SHOPIFY, EntityType.CUSTOMER, "create", None,
          "Shopify may send the new customer an account invitation"),
    _Rule(System.NETSUITE, EntityType.ORDER, "create", None,
          "NetSuite runs user-event scripts and workflows on a new sales order and may email a confirmation"),
    _Rule(System.NETSUITE, EntityType.PRODUCT, "update", frozenset({"price"}),
          "a NetSuite base price change applies to orders entered from now on"),
)  # fmt: skip


def side_effects_of(write: PlannedWrite) -> tuple[SideEffect, ...]:
    """The known side effects of ``write``, from :data:`SIDE_EFFECT_RULES`."""
    written = set(write.fields)
    return tuple(
        SideEffect(system=rule.system, description=rule.description)
        for rule in SIDE_EFFECT_RULES
        if (rule.system, rule.entity_type, rule.operation)
        == (write.system, write.entity_type, write.operation)
        and (rule.fields is None or rule.fields & written)
    )


__all__ = ["SIDE_EFFECT_RULES", "side_effects_of"]
