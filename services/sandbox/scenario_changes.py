"""What happens after set-up in the scenario: stock moves, fulfilment, refunds, price changes, drift.

Every function draws from ``world.rng`` in a fixed order and writes sequentially, so it keeps the
scenario's determinism (see :mod:`services.sandbox.scenario`).
"""

import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal

from services.sandbox import scenario_refunds
from services.sandbox.scenario_model import ORDER_SPACING, DriftKind, InjectedDrift, ScenarioConfig, World
from services.sandbox.scenario_records import money_number, money_text
from services.sandbox.stamping import shopify_time
from shared.core.findings import DiscrepancyKind
from shared.core.model import System

FULFIL_SHARE = 0.6
REFUND_SHARE = 0.15
_FULFILMENT_IDS = 4_800_000_000_000


def drift_count(config: ScenarioConfig) -> int:
    """Targets per drift kind: ``max(1, round(drift * customers / 4))``, or 0 without drift or customers."""
    if not config.drift or not config.customers:
        return 0
    return max(1, round(config.drift * config.customers / 4))


def _objects(value: object) -> list[dict[str, object]]:
    """Copies of the JSON objects in a JSON array (anything else reads as empty)."""
    return [dict(item) for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# --- stock and prices ------------------------------------------------------------------------------


async def take_stock(world: World, product: int, quantity: int) -> None:
    """Shopify owns stock: a sale lowers the variant's ``inventory_quantity`` (never below 0)."""
    await _adjust_stock(world, product, -quantity)


async def _adjust_stock(world: World, product: int, delta: int) -> None:
    product_id = world.products[product].records[System.SHOPIFY]
    variants = _objects((await world.get(System.SHOPIFY, "products", product_id)).get("variants"))
    if variants:
        stock = variants[0].get("inventory_quantity")
        variants[0]["inventory_quantity"] = max(0, (stock if isinstance(stock, int) else 0) + delta)
        await world.update(System.SHOPIFY, "products", product_id, {"variants": variants})


async def change_prices_and_stock(world: World) -> None:
    """Re-price a quarter of the products everywhere (NetSuite first, as owner) and restock as many."""
    count = max(1, len(world.products) // 4) if world.products else 0
    steady = [n for n in range(len(world.products)) if n not in world.silent_prices]
    for product in world.rng.sample(steady, min(count, len(steady))):
        item = world.items[product]
        price = max(Decimal("1.99"), item.price + world.rng.choice((Decimal(-5), Decimal(5), Decimal(10))))
        world.items[product] = dataclasses.replace(item, price=price)
        await _reprice(world, product, price)
        world.price_changes.append(world.products[product].key)
    for product in world.rng.sample(range(len(world.products)), count):
        await _adjust_stock(world, product, world.rng.randint(20, 100))


async def _reprice(world: World, product: int, price: Decimal) -> None:
    records = world.products[product].records
    await world.update(
        System.NETSUITE, "inventoryItem", records[System.NETSUITE], {"basePrice": money_number(price)}
    )
    variants = _objects(
        (await world.get(System.SHOPIFY, "products", records[System.SHOPIFY])).get("variants")
    )
    for variant in variants:
        variant["price"] = money_text(price)
    await world.update(System.SHOPIFY, "products", records[System.SHOPIFY], {"variants": variants})
    await world.update(
        System.HUBSPOT, "products", records[System.HUBSPOT], {"properties": {"price": money_text(price)}}
    )


# --- fulfilment and refunds ------------------------------------------------------------------------


async def fulfil_and_refund(world: World) -> None:
    """Fulfil about 60 % of orders (Shopify and NetSuite) and refund about 15 % in Shopify.

    Each refund of an order in NetSuite gets its credit memo, except the few planned as drift
    (see :mod:`services.sandbox.scenario_refunds`).
    """
    draws = [(world.rng.random() < FULFIL_SHARE, world.rng.random()) for _ in world.orders]
    refunds = [number for number, (_, draw) in enumerate(draws) if draw < REFUND_SHARE]
    unbooked = scenario_refunds.plan_unbooked(world, refunds, drift_count(world.config))
    for number, (shipped, refund_draw) in enumerate(draws):
        placed_at = world.config.start + number * ORDER_SPACING
        if shipped:
            await _fulfil(world, number, placed_at + timedelta(days=1))
        if refund_draw < REFUND_SHARE:
            await scenario_refunds.refund(
                world,
                number,
                placed_at + timedelta(days=3),
                full=refund_draw < REFUND_SHARE / 2,
                credit_memo=number not in unbooked,
            )


async def _fulfil(world: World, number: int, when: datetime) -> None:
    order = world.orders[number]
    shopify_id = order.records[System.SHOPIFY]
    record = await world.get(System.SHOPIFY, "orders", shopify_id)
    lines = _objects(record.get("line_items"))
    for line in lines:
        line.update(fulfillment_status="fulfilled", fulfillable_quantity=0)
    fulfilment = {
        "id": _FULFILMENT_IDS + len(world.fulfilled) + 1,
        "order_id": record["id"],
        "status": "success",
        "created_at": shopify_time(when),
        "line_items": [{"id": line.get("id"), "quantity": line.get("quantity")} for line in lines],
    }
    changes: dict[str, object] = {
        "fulfillment_status": "fulfilled",
        "line_items": lines,
        "fulfillments": [fulfilment],
    }
    await world.update(System.SHOPIFY, "orders", shopify_id, changes)
    if System.NETSUITE in order.records:
        status: dict[str, object] = {"orderStatus": {"id": "G", "refName": "Billed"}}
        await world.update(System.NETSUITE, "salesOrder", order.records[System.NETSUITE], status)
    world.fulfilled.append(order.key)


# --- drift -----------------------------------------------------------------------------------------


async def plant_drift(world: World) -> None:
    """Plant formatting and conflict drift on distinct customers and out-of-band price drift on products.

    It runs as soon as customers and products exist, so that a pipeline watching the run meets the drift
    first rather than behind every order (the demo shows every kind within its first minute). The
    out-of-band phone edits are only chosen here: :func:`plant_silent_phones` makes them once
    everything else is done, because a later event on the contact (its lifecycle stage changing with
    its first order) would report them.
    """
    count = drift_count(world.config)
    eligible = [n for n in range(len(world.customers)) if System.NETSUITE in world.customers[n].records]
    pool = world.rng.sample(eligible, len(eligible))
    products = world.rng.sample(range(len(world.products)), len(world.products))
    for index, customer in enumerate(pool[:count]):
        await _plant_formatting(world, customer, phone=index % 2 == 1)
    for customer in pool[count : 2 * count]:
        await _plant_conflict(world, customer)
    for index, customer in enumerate(pool[2 * count : 3 * count]):
        if index % 2 == 0 and products:
            product = products.pop()
            world.silent_prices.add(product)
            await _plant_silent_price(world, product)
        else:
            world.silent_phones.append(customer)


async def plant_silent_phones(world: World) -> None:
    """The out-of-band phone edits :func:`plant_drift` chose, made last."""
    for customer in world.silent_phones:
        await _plant_silent_phone(world, customer)


async def _change(
    world: World, customer_or_product: tuple[str, System, str, str], field: str, after: object, *, emit: bool
) -> InjectedDrift:
    """Write ``field = after`` on one record and describe the change (kind and expectation filled later)."""
    entity, system, object_type, record_id = customer_or_product
    before = await world.get(system, object_type, record_id)
    properties = before.get("properties")
    old = properties.get(field) if isinstance(properties, dict) else before.get(field)
    change: dict[str, object] = {"properties": {field: after}} if system is System.HUBSPOT else {field: after}
    await world.update(system, object_type, record_id, change, emit=emit)
    return InjectedDrift(
        kind=DriftKind.FORMATTING,
        entity=entity,
        system=system,
        object_type=object_type,
        record_id=record_id,
        field=field,
        before=None if old is None else str(old),
        after=str(after),
        emitted=emit and world.config.emit,
        expected=DiscrepancyKind.SOFT_DRIFT,
    )


def _target(world: World, customer: int, system: System, object_type: str) -> tuple[str, System, str, str]:
    entity = world.customers[customer]
    return entity.key, system, object_type, entity.records[system]


async def _plant_formatting(world: World, customer: int, *, phone: bool) -> None:
    person = world.people[customer]
    if phone:
        digits = person.phone.removeprefix("+1")
        target = _target(world, customer, System.NETSUITE, "customer")
        drift = await _change(world, target, "phone", f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", emit=True)
    else:
        local, domain = person.email.split("@")
        target = _target(world, customer, System.HUBSPOT, "contacts")
        drift = await _change(world, target, "email", f"{local.title()}@{domain.upper()}", emit=True)
    world.drift.append(drift)


async def _plant_conflict(world: World, customer: int) -> None:
    local = world.people[customer].email.split("@")[0]
    target = _target(world, customer, System.NETSUITE, "customer")
    drift = await _change(world, target, "email", f"{local}@legacy-mail.example", emit=True)
    world.drift.append(
        drift.model_copy(update={"kind": DriftKind.CONFLICT, "expected": DiscrepancyKind.HARD_CONFLICT})
    )


async def _plant_silent_phone(world: World, customer: int) -> None:
    target = _target(world, customer, System.HUBSPOT, "contacts")
    drift = await _change(world, target, "phone", f"+1202555{world.rng.randrange(10_000):04d}", emit=False)
    world.drift.append(
        drift.model_copy(update={"kind": DriftKind.OUT_OF_BAND, "expected": DiscrepancyKind.HARD_CONFLICT})
    )


async def _plant_silent_price(world: World, product: int) -> None:
    entity = world.products[product]
    target = (entity.key, System.NETSUITE, "inventoryItem", entity.records[System.NETSUITE])
    price = money_number(world.items[product].price + Decimal(7))
    drift = await _change(world, target, "basePrice", price, emit=False)
    world.drift.append(
        drift.model_copy(update={"kind": DriftKind.OUT_OF_BAND, "expected": DiscrepancyKind.HARD_CONFLICT})
    )
