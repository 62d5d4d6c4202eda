"""Shopify's order total equals NetSuite's sales order total, after tax, shipping and rounding."""

from shared.core.checks.field_check import FieldConsistencyCheck
from shared.core.checks.fields import FieldSpec
from shared.core.checks.orders import order_total, represents_total
from shared.core.model import EntityType, System

CHECKS = (
    FieldConsistencyCheck(
        name="order_totals",
        dimension="order_totals",
        entity_type=EntityType.ORDER,
        specs=(
            FieldSpec(
                "total",
                extract=order_total,
                represents=represents_total,
                systems=frozenset({System.SHOPIFY, System.NETSUITE}),
            ),
        ),
    ),
)
