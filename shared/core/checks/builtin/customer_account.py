"""A customer's commercial standing: lifecycle stage (owner depends on the lifecycle) and credit limit."""

from shared.core.checks.field_check import field_check
from shared.core.model import EntityType

CHECKS = (field_check("customer_account", EntityType.CUSTOMER, "lifecycle_stage", "credit_limit"),)
