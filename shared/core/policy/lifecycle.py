"""Lifecycle states of canonical entities, derived from their snapshots by one pure function per type.

Ownership can depend on where an entity is in its life (Shopify owns an order until it is fulfilled,
then NetSuite does); policies name these states, and this module is the only place that decides which
state an entity is in.
"""

from collections.abc import Callable, Mapping
from enum import StrEnum

from shared.core.model import EntityType, FulfillmentStatus, LifecycleStage, System
from shared.core.snapshot import CustomerSnapshot, OrderSnapshot, ProductSnapshot

AnySnapshot = CustomerSnapshot | ProductSnapshot | OrderSnapshot


class CustomerState(StrEnum):
    """``prospect``: known to marketing only; ``buyer``: has bought (or HubSpot says customer) but
    NetSuite does not hold it yet; ``erp_customer``: NetSuite holds the customer."""

    PROSPECT = "prospect"
    BUYER = "buyer"
    ERP_CUSTOMER = "erp_customer"


class ProductState(StrEnum):
    """``active`` unless any platform says the product is inactive."""

    ACTIVE = "active"
    INACTIVE = "inactive"


class OrderState(StrEnum):
    """``open`` until any platform reports it fulfilled (or cancelled)."""

    OPEN = "open"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


LifecycleState = CustomerState | ProductState | OrderState

STATES_BY_ENTITY_TYPE: Mapping[EntityType, type[CustomerState] | type[ProductState] | type[OrderState]] = {
    EntityType.CUSTOMER: CustomerState,
    EntityType.PRODUCT: ProductState,
    EntityType.ORDER: OrderState,
}
"""The closed set of state names a policy may use for each entity type."""


def customer_state(snapshots: Mapping[System, AnySnapshot], order_count: int) -> CustomerState:
    """The customer's state; ``order_count`` is the number of orders linked to the customer."""
    if _present(snapshots, System.NETSUITE):
        return CustomerState.ERP_CUSTOMER
    stages = {s.values.lifecycle_stage for s in _live(snapshots) if isinstance(s, CustomerSnapshot)}
    if order_count > 0 or LifecycleStage.CUSTOMER in stages or LifecycleStage.EVANGELIST in stages:
        return CustomerState.BUYER
    return CustomerState.PROSPECT


def product_state(snapshots: Mapping[System, AnySnapshot], order_count: int) -> ProductState:
    """Inactive as soon as one live platform record says ``active = false``."""
    del order_count  # products do not depend on orders; the signature is shared by every state function
    inactive = any(isinstance(s, ProductSnapshot) and s.values.active is False for s in _live(snapshots))
    return ProductState.INACTIVE if inactive else ProductState.ACTIVE


def order_state(snapshots: Mapping[System, AnySnapshot], order_count: int) -> OrderState:
    """Cancelled or fulfilled as soon as one live platform record says so (cancelled wins)."""
    del order_count
    statuses = {s.values.fulfillment_status for s in _live(snapshots) if isinstance(s, OrderSnapshot)}
    if FulfillmentStatus.CANCELLED in statuses:
        return OrderState.CANCELLED
    if FulfillmentStatus.FULFILLED in statuses:
        return OrderState.FULFILLED
    return OrderState.OPEN


StateFunction = Callable[[Mapping[System, AnySnapshot], int], LifecycleState]

_STATE_FUNCTIONS: Mapping[EntityType, StateFunction] = {
    EntityType.CUSTOMER: customer_state,
    EntityType.PRODUCT: product_state,
    EntityType.ORDER: order_state,
}


def lifecycle_state(
    entity_type: EntityType, snapshots: Mapping[System, AnySnapshot], order_count: int = 0
) -> LifecycleState:
    """The lifecycle state of an entity of ``entity_type`` given its live and deleted snapshots."""
    return _STATE_FUNCTIONS[entity_type](snapshots, order_count)


def _live(snapshots: Mapping[System, AnySnapshot]) -> list[AnySnapshot]:
    return [s for s in snapshots.values() if not s.deleted]


def _present(snapshots: Mapping[System, AnySnapshot], system: System) -> bool:
    snapshot = snapshots.get(system)
    return snapshot is not None and not snapshot.deleted
