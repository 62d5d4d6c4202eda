"""Builders of snapshots and entities for check tests: terse, with realistic defaults."""

from datetime import UTC, datetime, timedelta

from shared.core.checks import EntitySnapshots
from shared.core.model import Customer, EntityId, EntityType, ExternalRef, Order, Product, Surface, System
from shared.core.snapshot import CustomerSnapshot, OrderSnapshot, ProductSnapshot

NOW = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
ENTITY_ID = EntityId("ent_0123456789abcdef0123456789abcdef")

_OBJECT_TYPES = {
    EntityType.CUSTOMER: {
        System.HUBSPOT: "contacts",
        System.SHOPIFY: "customers",
        System.NETSUITE: "customer",
    },
    EntityType.PRODUCT: {
        System.HUBSPOT: "products",
        System.SHOPIFY: "products",
        System.NETSUITE: "inventoryItem",
    },
    EntityType.ORDER: {System.HUBSPOT: "deals", System.SHOPIFY: "orders", System.NETSUITE: "salesOrder"},
}

Snapshot = CustomerSnapshot | ProductSnapshot | OrderSnapshot


def _common(
    entity_type: EntityType,
    system: System,
    values: dict[str, object],
    *,
    represented: frozenset[str] | set[str] | None,
    changed_ago: timedelta,
    observed_ago: timedelta | None,
    surface: Surface,
    deleted: bool,
) -> dict[str, object]:
    return {
        "ref": ExternalRef(system=system, object_type=_OBJECT_TYPES[entity_type][system], external_id="1001"),
        "represented": frozenset(represented if represented is not None else values),
        "source_updated_at": NOW - changed_ago,
        "observed_at": NOW - (observed_ago if observed_ago is not None else changed_ago),
        "surface": surface,
        "deleted": deleted,
    }


def customer(
    system: System,
    *,
    represented: frozenset[str] | set[str] | None = None,
    changed_ago: timedelta = timedelta(hours=1),
    observed_ago: timedelta | None = None,
    surface: Surface = Surface.POLL,
    deleted: bool = False,
    **values: object,
) -> CustomerSnapshot:
    """A customer snapshot; ``represented`` defaults to the fields given."""
    common = _common(
        EntityType.CUSTOMER,
        system,
        values,
        represented=represented,
        changed_ago=changed_ago,
        observed_ago=observed_ago,
        surface=surface,
        deleted=deleted,
    )
    return CustomerSnapshot.model_validate({**common, "values": Customer.model_validate(values)})


def product(
    system: System,
    *,
    represented: frozenset[str] | set[str] | None = None,
    changed_ago: timedelta = timedelta(hours=1),
    observed_ago: timedelta | None = None,
    surface: Surface = Surface.POLL,
    deleted: bool = False,
    **values: object,
) -> ProductSnapshot:
    """A product snapshot; ``represented`` defaults to the fields given."""
    common = _common(
        EntityType.PRODUCT,
        system,
        values,
        represented=represented,
        changed_ago=changed_ago,
        observed_ago=observed_ago,
        surface=surface,
        deleted=deleted,
    )
    return ProductSnapshot.model_validate({**common, "values": Product.model_validate(values)})


def order(
    system: System,
    *,
    represented: frozenset[str] | set[str] | None = None,
    changed_ago: timedelta = timedelta(hours=1),
    observed_ago: timedelta | None = None,
    surface: Surface = Surface.POLL,
    deleted: bool = False,
    **values: object,
) -> OrderSnapshot:
    """An order snapshot; ``represented`` defaults to the fields given."""
    common = _common(
        EntityType.ORDER,
        system,
        values,
        represented=represented,
        changed_ago=changed_ago,
        observed_ago=observed_ago,
        surface=surface,
        deleted=deleted,
    )
    return OrderSnapshot.model_validate({**common, "values": Order.model_validate(values)})


def entity(
    *snapshots: Snapshot,
    linked: set[System] | None = None,
    order_count: int = 0,
    last_agreed_at: dict[str, datetime] | None = None,
) -> EntitySnapshots:
    """The entity holding ``snapshots`` (all linked unless ``linked`` says otherwise)."""
    by_system = {snapshot.ref.system: snapshot for snapshot in snapshots}
    return EntitySnapshots(
        entity_id=ENTITY_ID,
        entity_type=snapshots[0].entity_type,
        snapshots=by_system,
        linked=frozenset(by_system if linked is None else linked),
        order_count=order_count,
        last_agreed_at=last_agreed_at or {},
    )
