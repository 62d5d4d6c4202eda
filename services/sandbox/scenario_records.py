"""Made-up business facts for the scenario, and the platform-shaped records that express them.

Facts (:class:`Person`, :class:`Item`, :class:`Purchase`) are drawn from a seeded
``random.Random``; builders turn one fact into the request body each platform would have received
(HubSpot ``{"properties": ...}`` with string values, Shopify REST resources with string money,
NetSuite records with number money). Money is computed in ``Decimal`` and converted only at the
wire edge: a NetSuite JSON number is held as a float, because that is what its JSON carries and the
store keeps records as BSON.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.sandbox.stamping import hubspot_time, shopify_time

CENT = Decimal("0.01")
TAX_RATE = Decimal("0.08")
CURRENCY = "USD"

_FIRST = ("Jane", "Omar", "Priya", "Lukas", "Mei", "Carlos", "Aisha", "Tom", "Sofia", "Kenji", "Nora", "Ivan")
_LAST = ("Doe", "Haddad", "Patel", "Schmidt", "Chen", "Garcia", "Bello", "Nguyen", "Rossi", "Sato", "Berg")
_DOMAINS = ("acme.example", "mail.example", "globex.example", "initech.example")
_CITIES = (
    ("Ottawa", "ON", "CA", "K1P 1J1"),
    ("Boston", "MA", "US", "02108"),
    ("Austin", "TX", "US", "73301"),
)
_ADJECTIVES = ("Classic", "Organic", "Everyday", "Trail", "Studio", "Heritage", "Urban", "Coastal")
_NOUNS = (("Tee", "TSHIRT"), ("Hoodie", "HOOD"), ("Mug", "MUG"), ("Backpack", "PACK"), ("Cap", "CAP"))
_COLOURS = ("BLK", "WHT", "NVY", "OLV", "RED")


@dataclass(frozen=True)
class Person:
    """A customer as the business knows them."""

    first_name: str
    last_name: str
    email: str
    phone: str
    city: str
    region: str
    country: str
    postal_code: str
    street: str


@dataclass(frozen=True)
class Item:
    """A product with one variant: SKU, title, description, price and stock."""

    sku: str
    title: str
    description: str
    product_type: str
    price: Decimal
    stock: int


@dataclass(frozen=True)
class Line:
    """One order line: the product index, quantity and unit price when ordered."""

    item: int
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


@dataclass(frozen=True)
class Purchase:
    """An order: the customer index, lines and when it was placed."""

    customer: int
    lines: tuple[Line, ...]
    placed_at: datetime

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return (self.subtotal * TAX_RATE).quantize(CENT)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


def invent_person(rng: random.Random, number: int) -> Person:
    """A person; the number keeps emails unique across the run."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    city, region, country, postal = rng.choice(_CITIES)
    return Person(
        first_name=first,
        last_name=last,
        email=f"{first}.{last}{number}@{rng.choice(_DOMAINS)}".lower(),
        phone=f"+1613555{rng.randrange(10_000):04d}",
        city=city,
        region=region,
        country=country,
        postal_code=postal,
        street=f"{rng.randrange(1, 999)} {rng.choice(_LAST)} Street",
    )


def invent_item(rng: random.Random, number: int) -> Item:
    """A product; the number keeps SKUs unique across the run."""
    adjective, (noun, code) = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
    title = f"{adjective} {noun}"
    return Item(
        sku=f"{code}-{number:03d}-{rng.choice(_COLOURS)}",
        title=title,
        description=f"The {title.lower()}, made to last.",
        product_type=noun,
        price=Decimal(rng.randrange(9, 150)) + Decimal("0.99"),
        stock=rng.randrange(0, 200),
    )


def money_text(amount: Decimal) -> str:
    """Shopify / HubSpot money: a two-decimal string."""
    return str(amount.quantize(CENT))


def money_number(amount: Decimal) -> float:
    """NetSuite money: a JSON number (see the module docstring for why a float)."""
    return float(amount.quantize(CENT))


# --- customers -------------------------------------------------------------------------------------


def shopify_customer(person: Person) -> dict[str, object]:
    address = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "address1": person.street,
        "city": person.city,
        "province_code": person.region,
        "country_code": person.country,
        "zip": person.postal_code,
        "phone": person.phone,
        "default": True,
    }
    return {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "phone": person.phone,
        "currency": CURRENCY,
        "tax_exempt": False,
        "addresses": [address],
    }


def hubspot_contact(person: Person, lifecycle_stage: str) -> dict[str, object]:
    return {
        "properties": {
            "email": person.email,
            "firstname": person.first_name,
            "lastname": person.last_name,
            "phone": person.phone,
            "address": person.street,
            "city": person.city,
            "state": person.region,
            "zip": person.postal_code,
            "country": person.country,
            "lifecyclestage": lifecycle_stage,
        }
    }


def netsuite_customer(person: Person, shopify_id: object) -> dict[str, object]:
    return {
        "externalId": f"shopify:{shopify_id}",
        "isPerson": True,
        "firstName": person.first_name,
        "lastName": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "subsidiary": {"id": "1", "refName": "Parent Company"},
        "currency": {"id": "1", "refName": CURRENCY},
        "creditLimit": 5000.0,
        "addressBook": {"items": [netsuite_address(person)]},
    }


def netsuite_address(person: Person) -> dict[str, object]:
    """The person's address as a default billing and shipping address book entry."""
    return {
        "defaultBilling": True,
        "defaultShipping": True,
        "label": person.street,
        "addressBookAddress": {
            "addressee": f"{person.first_name} {person.last_name}",
            "addr1": person.street,
            "city": person.city,
            "state": person.region,
            "zip": person.postal_code,
            "country": {"id": person.country},
        },
    }


# --- products --------------------------------------------------------------------------------------


def netsuite_item(item: Item) -> dict[str, object]:
    return {
        "itemId": item.sku,
        "displayName": item.title,
        "salesDescription": item.description,
        "basePrice": money_number(item.price),
    }


def shopify_product(item: Item) -> dict[str, object]:
    variant = {
        "title": "Default Title",
        "option1": "Default Title",
        "sku": item.sku,
        "price": money_text(item.price),
        "compare_at_price": None,
        "inventory_quantity": item.stock,
        "taxable": True,
    }
    return {
        "title": item.title,
        "body_html": f"<p>{item.description}</p>",
        "vendor": "Concord Goods",
        "product_type": item.product_type,
        "tags": item.product_type.lower(),
        "variants": [variant],
    }


def hubspot_product(item: Item) -> dict[str, object]:
    properties = {"name": item.title, "price": money_text(item.price), "hs_sku": item.sku}
    return {"properties": {**properties, "description": item.description}}


# --- orders ----------------------------------------------------------------------------------------


def shopify_order(
    purchase: Purchase,
    person: Person,
    customer: dict[str, object],
    sold: Sequence[tuple[str, dict[str, object]]],
) -> dict[str, object]:
    """``sold[i]`` is the (product title, Shopify variant) of ``purchase.lines[i]``."""
    lines = [
        {
            "product_id": variant.get("product_id"),
            "variant_id": variant.get("id"),
            "title": title,
            "sku": variant.get("sku"),
            "quantity": line.quantity,
            "price": money_text(line.unit_price),
            "total_discount": "0.00",
            "fulfillable_quantity": line.quantity,
            "fulfillment_status": None,
            "taxable": True,
            "requires_shipping": True,
        }
        for line, (title, variant) in zip(purchase.lines, sold, strict=True)
    ]
    totals = {name: money_text(amount) for name, amount in _order_totals(purchase).items()}
    customer_ref = {key: customer.get(key) for key in ("id", "email", "first_name", "last_name")}
    return {
        "email": person.email,
        "currency": CURRENCY,
        "presentment_currency": CURRENCY,
        "customer": customer_ref,
        "line_items": lines,
        **totals,
        "financial_status": "paid",
        "fulfillment_status": None,
        "processed_at": shopify_time(purchase.placed_at),
        "refunds": [],
        "fulfillments": [],
        "test": False,
    }


def _order_totals(purchase: Purchase) -> dict[str, Decimal]:
    return {
        "subtotal_price": purchase.subtotal,
        "total_tax": purchase.tax,
        "total_discounts": Decimal(0),
        "total_price": purchase.total,
        "current_total_price": purchase.total,
    }


def netsuite_sales_order(
    purchase: Purchase, order_name: str, email: str, customer_id: str, item_ids: Sequence[tuple[str, str]]
) -> dict[str, object]:
    """``item_ids[i]`` is the (internal id, SKU) of the NetSuite item of ``purchase.lines[i]``."""
    items = [
        {
            "line": number,
            "item": {"id": item_id, "refName": sku},
            "quantity": line.quantity,
            "rate": money_number(line.unit_price),
            "amount": money_number(line.amount),
        }
        for number, (line, (item_id, sku)) in enumerate(zip(purchase.lines, item_ids, strict=True), start=1)
    ]
    return {
        "entity": {"id": customer_id},
        "otherRefNum": order_name,
        "email": email,
        "currency": {"id": "1", "refName": CURRENCY},
        "subtotal": money_number(purchase.subtotal),
        "taxTotal": money_number(purchase.tax),
        "total": money_number(purchase.total),
        "orderStatus": {"id": "B", "refName": "Pending Fulfillment"},
        "item": {
            "items": items,
            "totalResults": len(items),
            "count": len(items),
            "hasMore": False,
            "offset": 0,
        },
    }


def hubspot_deal(purchase: Purchase, order_name: str, contact_id: str) -> dict[str, object]:
    return {
        "properties": {
            "dealname": f"Shopify order {order_name}",
            "amount": money_text(purchase.total),
            "dealstage": "closedwon",
            "pipeline": "default",
            "closedate": hubspot_time(purchase.placed_at),
        },
        "associations": {"contacts": {"results": [{"id": contact_id, "type": "deal_to_contact"}]}},
    }
