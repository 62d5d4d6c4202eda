"""A product's catalogue identity: SKU, title, whether it is for sale."""

from shared.core.checks.field_check import field_check
from shared.core.model import EntityType

CHECKS = (field_check("product_catalog", EntityType.PRODUCT, "sku", "title", "active"),)
