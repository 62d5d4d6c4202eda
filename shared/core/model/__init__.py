"""Canonical business entities and the value types they are built from."""

from shared.core.model.entities import (
    Address,
    Customer,
    FinancialStatus,
    FulfillmentStatus,
    LifecycleStage,
    Order,
    OrderLine,
    Product,
)
from shared.core.model.ids import EntityId, ExternalRef, new_entity_id
from shared.core.model.money import Money
from shared.core.model.systems import EntityType, Surface, System

__all__ = [
    "Address",
    "Customer",
    "EntityId",
    "EntityType",
    "ExternalRef",
    "FinancialStatus",
    "FulfillmentStatus",
    "LifecycleStage",
    "Money",
    "Order",
    "OrderLine",
    "Product",
    "Surface",
    "System",
    "new_entity_id",
]
