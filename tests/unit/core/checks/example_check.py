"""A product's description agrees across the platforms that hold one."""

from shared.core.checks.field_check import field_check
from shared.core.model import EntityType

CHECKS = (field_check("product_description", EntityType.PRODUCT, "description"),)
