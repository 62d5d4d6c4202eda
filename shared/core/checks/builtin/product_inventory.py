"""A product's available quantity, compared within the policy's ± tolerance."""

from shared.core.checks.field_check import field_check
from shared.core.model import EntityType

CHECKS = (field_check("product_inventory", EntityType.PRODUCT, "inventory_quantity"),)
