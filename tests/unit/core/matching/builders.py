"""Small builders of snapshots and candidates for the matching tests."""

from datetime import UTC, datetime

from shared.core.matching import Candidate
from shared.core.model import (
    Address,
    Customer,
    EntityId,
    EntityType,
    ExternalRef,
    Money,
    Order,
    Product,
    Surface,
    System,
)
from shared.core.snapshot import CustomerSnapshot, OrderSnapshot, ProductSnapshot

NOW = datetime(2024, 6, 10, 16, 0, tzinfo=UTC)
_OBJECT_TYPES = {
    (System.HUBSPOT, EntityType.CUSTOMER): "contacts",
    (System.SHOPIFY, EntityType.CUSTOMER): "customers",
    (System.NETSUITE, EntityType.CUSTOMER): "customer",
    (System.SHOPIFY, EntityType.PRODUCT): "products",
    (System.NETSUITE, EntityType.PRODUCT): "inventoryItem",
    (System.SHOPIFY, EntityType.ORDER): "orders",
    (System.NETSUITE, EntityType.ORDER): "salesOrder",
}


def ref(system: System, kind: EntityType, external_id: str) -> ExternalRef:
    return ExternalRef(system=system, object_type=_OBJECT_TYPES[(system, kind)], external_id=external_id)


def customer(system: System, external_id: str, **values: object) -> CustomerSnapshot:
    return CustomerSnapshot(
        ref=ref(system, EntityType.CUSTOMER, external_id),
        represented=frozenset(values),
        observed_at=NOW,
        surface=Surface.POLL,
        values=Customer.model_validate(values),
    )


def product(system: System, external_id: str, **values: object) -> ProductSnapshot:
    return ProductSnapshot(
        ref=ref(system, EntityType.PRODUCT, external_id),
        represented=frozenset(values),
        observed_at=NOW,
        surface=Surface.POLL,
        values=Product.model_validate(values),
    )


def order(system: System, external_id: str, **values: object) -> OrderSnapshot:
    return OrderSnapshot(
        ref=ref(system, EntityType.ORDER, external_id),
        represented=frozenset(values),
        observed_at=NOW,
        surface=Surface.POLL,
        values=Order.model_validate(values),
    )


def candidate(
    entity: str,
    *snapshots: CustomerSnapshot | ProductSnapshot | OrderSnapshot,
    cross_refs: frozenset[ExternalRef] = frozenset(),
) -> Candidate:
    kind = snapshots[0].entity_type if snapshots else EntityType.CUSTOMER
    return Candidate(entity_id=EntityId(entity), entity_type=kind, snapshots=snapshots, cross_refs=cross_refs)


def address(**values: str) -> Address:
    return Address.model_validate(values)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")
