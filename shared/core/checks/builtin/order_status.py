"""An order's payment and fulfilment status (Shopify owns them until fulfilment, then NetSuite)."""

from shared.core.checks.field_check import field_check
from shared.core.model import EntityType

CHECKS = (field_check("order_status", EntityType.ORDER, "financial_status", "fulfillment_status"),)
