"""A product's price (NetSuite owns it in the default policy)."""

from shared.core.checks.field_check import field_check
from shared.core.model import EntityType

CHECKS = (field_check("product_pricing", EntityType.PRODUCT, "price"),)
