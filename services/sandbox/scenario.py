"""A seeded story of business activity written through the sandbox store, with planted drift.

Products are set up in NetSuite (the price owner) and mirrored to Shopify and HubSpot under the
same SKU; customers sign up in Shopify and appear in HubSpot and NetSuite; drift is planted (see
:func:`scenario_changes.plant_drift` for why so early); orders are placed in Shopify and mirrored as
NetSuite sales orders and HubSpot deals; then orders are fulfilled and some refunded (each refund
booked as a NetSuite credit memo created from the sales order, but a few left unbooked as drift),
prices and stock change, and last the out-of-band phone edits are made.

Determinism: every choice comes from one ``random.Random`` seeded with ``config.seed``, writes are
strictly sequential, and business times derive from ``config.start``; so on an empty store with
a fixed (or deterministically stepping) clock, the same config gives the same ids, values and
timestamps. The :class:`ScenarioReport` is the ground truth that tests and chaos runs compare with.
"""

import random

from services.sandbox import scenario_changes
from services.sandbox.scenario_model import (
    ORDER_SPACING,
    DriftKind,
    InjectedDrift,
    ScenarioConfig,
    ScenarioEntity,
    ScenarioReport,
    World,
)
from services.sandbox.scenario_records import (
    Line,
    Purchase,
    hubspot_contact,
    hubspot_deal,
    hubspot_product,
    invent_item,
    invent_person,
    netsuite_customer,
    netsuite_item,
    netsuite_sales_order,
    shopify_customer,
    shopify_order,
    shopify_product,
)
from services.sandbox.store import SandboxStore
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityType, System

__all__ = [
    "DriftKind",
    "InjectedDrift",
    "ScenarioConfig",
    "ScenarioEntity",
    "ScenarioReport",
    "run_scenario",
]


async def run_scenario(store: SandboxStore, config: ScenarioConfig) -> ScenarioReport:
    """Write the whole story through ``store`` (origin ``"scenario"``) and report what happened."""
    world = World(store=store, config=config, rng=random.Random(config.seed))  # noqa: S311  # simulation
    world.missing_in_netsuite = _plan_missing(world)
    for number in range(config.products):
        await _add_product(world, number)
    for number in range(config.customers):
        await _add_customer(world, number)
    await scenario_changes.plant_drift(world)
    for number in range(config.orders):
        await _place_order(world, number)
    await scenario_changes.fulfil_and_refund(world)
    await scenario_changes.change_prices_and_stock(world)
    await scenario_changes.plant_silent_phones(world)
    return world.report()


def _plan_missing(world: World) -> set[int]:
    """Customers that will never reach NetSuite; chosen first so that they can be given orders."""
    count = scenario_changes.drift_count(world.config)
    if not world.config.orders:
        return set()
    return set(world.rng.sample(range(world.config.customers), min(count, world.config.customers)))


async def _add_product(world: World, number: int) -> None:
    item = invent_item(world.rng, number + 1)
    world.items.append(item)
    netsuite = await world.create(System.NETSUITE, "inventoryItem", netsuite_item(item))
    shopify = await world.create(System.SHOPIFY, "products", shopify_product(item))
    hubspot = await world.create(System.HUBSPOT, "products", hubspot_product(item))
    records = {System.NETSUITE: str(netsuite["id"]), System.SHOPIFY: str(shopify["id"])}
    records[System.HUBSPOT] = str(hubspot["id"])
    key = f"product-{number + 1:03d}"
    world.products.append(
        ScenarioEntity(key=key, entity_type=EntityType.PRODUCT, natural_key=item.sku, records=records)
    )


async def _add_customer(world: World, number: int) -> None:
    person = invent_person(world.rng, number + 1)
    world.people.append(person)
    shopify = await world.create(System.SHOPIFY, "customers", shopify_customer(person))
    hubspot = await world.create(System.HUBSPOT, "contacts", hubspot_contact(person, "lead"))
    records = {System.SHOPIFY: str(shopify["id"]), System.HUBSPOT: str(hubspot["id"])}
    key = f"customer-{number + 1:03d}"
    if number in world.missing_in_netsuite:
        world.drift.append(
            _missing(key, "customer", "a Shopify customer with orders, never created in NetSuite")
        )
    else:
        netsuite = await world.create(System.NETSUITE, "customer", netsuite_customer(person, shopify["id"]))
        records[System.NETSUITE] = str(netsuite["id"])
    world.customers.append(
        ScenarioEntity(key=key, entity_type=EntityType.CUSTOMER, natural_key=person.email, records=records)
    )


def _missing(entity: str, object_type: str, why: str) -> InjectedDrift:
    return InjectedDrift(
        kind=DriftKind.MISSING,
        entity=entity,
        system=System.NETSUITE,
        object_type=object_type,
        record_id=None,
        field=None,
        after=why,
        emitted=False,
        expected=DiscrepancyKind.MISSING,
    )


def _invent_purchase(world: World, number: int) -> Purchase:
    missing = sorted(world.missing_in_netsuite)
    # The first orders go to the customers missing from NetSuite, so each of them has orders.
    customer = missing[number] if number < len(missing) else world.rng.randrange(len(world.people))
    count = min(len(world.items), world.rng.randint(1, 3))
    chosen = world.rng.sample(range(len(world.items)), count)
    lines = tuple(Line(item, world.rng.randint(1, 3), world.items[item].price) for item in chosen)
    return Purchase(customer=customer, lines=lines, placed_at=world.config.start + number * ORDER_SPACING)


async def _place_order(world: World, number: int) -> None:
    purchase = _invent_purchase(world, number)
    customer = world.customers[purchase.customer]
    person = world.people[purchase.customer]
    shopify_customer_record = await world.get(System.SHOPIFY, "customers", customer.records[System.SHOPIFY])
    sold = [await _sold_variant(world, line) for line in purchase.lines]
    order = await world.create(
        System.SHOPIFY, "orders", shopify_order(purchase, person, shopify_customer_record, sold)
    )
    name = str(order["name"])
    records = {System.SHOPIFY: str(order["id"])}
    for line in purchase.lines:
        await scenario_changes.take_stock(world, line.item, line.quantity)
    key = f"order-{number + 1:03d}"
    if System.NETSUITE in customer.records:
        records[System.NETSUITE] = await _mirror_to_netsuite(world, purchase, name, person.email)
    else:
        world.drift.append(_missing(key, "salesOrder", f"{name} of a customer missing from NetSuite"))
    contact_id = customer.records[System.HUBSPOT]
    deal = await world.create(System.HUBSPOT, "deals", hubspot_deal(purchase, name, contact_id))
    records[System.HUBSPOT] = str(deal["id"])
    if purchase.customer not in world.order_customers:
        await world.update(
            System.HUBSPOT, "contacts", contact_id, {"properties": {"lifecyclestage": "customer"}}
        )
    world.order_customers.append(purchase.customer)
    world.orders.append(
        ScenarioEntity(key=key, entity_type=EntityType.ORDER, natural_key=name, records=records)
    )


async def _sold_variant(world: World, line: Line) -> tuple[str, dict[str, object]]:
    product_id = world.products[line.item].records[System.SHOPIFY]
    product = await world.get(System.SHOPIFY, "products", product_id)
    variants = product.get("variants")
    variant = variants[0] if isinstance(variants, list) and variants and isinstance(variants[0], dict) else {}
    return str(product.get("title", "")), variant


async def _mirror_to_netsuite(world: World, purchase: Purchase, name: str, email: str) -> str:
    customer_id = world.customers[purchase.customer].records[System.NETSUITE]
    item_ids = [
        (world.products[line.item].records[System.NETSUITE], world.items[line.item].sku)
        for line in purchase.lines
    ]
    order = await world.create(
        System.NETSUITE, "salesOrder", netsuite_sales_order(purchase, name, email, customer_id, item_ids)
    )
    return str(order["id"])
