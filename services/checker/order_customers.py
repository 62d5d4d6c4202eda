"""Orders change their customer's picture: a customer's cross-entity checks (its presence, which
depends on how many orders it has) run again when an order naming it arrives.

The link stage collects, per batch, the orders whose customer's order count may have changed (a
first observation of an order naming a customer email, or an order whose customer email changed)
and, once the batch's snapshots and keys are stored, publishes one ``EntityChanged`` (every
dimension) for each customer entity indexed under that email. A customer not linked yet gets
nothing: its own first evaluation counts its orders.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.checker.change_ids import entity_changed_id
from shared.core.events import EntityChanged, RecordObserved, caused_by
from shared.core.matching.keys import value_keys
from shared.core.model import Customer, EntityId, EntityType, Order
from shared.core.repositories import AnySnapshot, EntityRepository


@dataclass(frozen=True)
class OrderOfCustomer:
    """An order observation, and the blocking key (``email:…``) of the customer it names."""

    message: RecordObserved
    snapshot: AnySnapshot
    customer_key: str


def customer_key_of(snapshot: AnySnapshot | None) -> str | None:
    """The blocking key of the customer a live order snapshot names, if any."""
    if snapshot is None or snapshot.deleted or not isinstance(snapshot.values, Order):
        return None
    email = snapshot.values.customer_email
    return None if email is None else next(iter(value_keys(Customer(email=email))), None)


def customer_key_to_recheck(previous: AnySnapshot | None, snapshot: AnySnapshot) -> str | None:
    """The customer key whose order count ``snapshot`` may change, or ``None``: an order seen for the
    first time (or again after a deletion), or whose customer changed, that names a customer."""
    key = customer_key_of(snapshot)
    return None if key == customer_key_of(previous) else key


async def customers_of(
    orders: Sequence[OrderOfCustomer], entities: EntityRepository
) -> list[tuple[OrderOfCustomer, EntityId]]:
    """Each order with every customer entity indexed under its key (usually one), in a stable order."""
    if not orders:
        return []
    indexed = await entities.entities_with_keys(EntityType.CUSTOMER, {o.customer_key for o in orders})
    return [
        (order, entity_id)
        for order in orders
        for entity_id in sorted(e for e, keys in indexed.items() if order.customer_key in keys)
    ]


def customer_changes(
    orders: Sequence[tuple[OrderOfCustomer, EntityId]], now: datetime, producer: str
) -> list[EntityChanged]:
    """For each (order, customer): a change of every dimension of the customer, caused by the order."""
    return [
        EntityChanged(
            **caused_by(
                order.message,
                producer=producer,
                produced_at=now,
                message_id=entity_changed_id(order.message.message_id, customer),
            ),
            entity_id=customer,
            entity_type=EntityType.CUSTOMER,
            changed_refs=(order.snapshot.ref,),
            cause=order.message.message_id,
            surface=order.snapshot.surface,
        )
        for order, customer in orders
    ]
