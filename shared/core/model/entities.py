"""Canonical entities: Concord's own picture of a customer, a product and an order.

They are values: frozen, validated, with every field optional where some platform may not know it.
Field names here are the canonical field names that mappings, policies and checks refer to.
"""

from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.core.model.ids import EntityId
from shared.core.model.money import Money


class LifecycleStage(StrEnum):
    """Customer lifecycle, HubSpot's stages being the most detailed of the three platforms."""

    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    MARKETING_QUALIFIED_LEAD = "marketingqualifiedlead"
    SALES_QUALIFIED_LEAD = "salesqualifiedlead"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    EVANGELIST = "evangelist"
    OTHER = "other"


class FinancialStatus(StrEnum):
    """Payment state of an order (Shopify's financial status is the reference vocabulary)."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"


class FulfillmentStatus(StrEnum):
    """Shipping state of an order."""

    UNFULFILLED = "unfulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


class _Entity(BaseModel):
    """Base of the canonical entities.

    The same types describe one platform's view of an entity (``entity_id`` still ``None`` until the
    record is linked) and Concord's canonical picture of it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity_id: EntityId | None = None


class Address(BaseModel):
    """A postal address; ``country`` is an ISO 3166-1 alpha-2 code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class Customer(_Entity):
    """A person or company that buys. ``email`` is lower-cased, ``phone`` is E.164."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    addresses: tuple[Address, ...] = ()
    tax_id: str | None = None
    lifecycle_stage: LifecycleStage | None = None
    credit_limit: Money | None = None


class Product(_Entity):
    """A sellable item, identified across systems by its SKU."""

    sku: str | None = None
    title: str | None = None
    description: str | None = None
    price: Money | None = None
    inventory_quantity: int | None = None
    active: bool | None = None


class OrderLine(BaseModel):
    """One line of an order; ``sku`` links it to a product."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str | None = None
    title: str | None = None
    quantity: int = Field(ge=0)
    unit_price: Money
    product_entity_id: EntityId | None = None

    @property
    def line_total(self) -> Money:
        """Quantity times unit price."""
        return self.unit_price.times(Decimal(self.quantity))


class Order(_Entity):
    """A sale. Totals are Money in the order's currency."""

    order_number: str | None = None
    customer_entity_id: EntityId | None = None
    customer_email: str | None = None
    lines: tuple[OrderLine, ...] = ()
    subtotal: Money | None = None
    tax: Money | None = None
    shipping: Money | None = None
    total: Money | None = None
    refunded_total: Money | None = None
    """Money given back: Shopify's refunds, NetSuite's credit memos created from the order."""
    financial_status: FinancialStatus | None = None
    fulfillment_status: FulfillmentStatus | None = None
    placed_at: AwareDatetime | None = None


__all__ = [
    "Address",
    "Customer",
    "FinancialStatus",
    "FulfillmentStatus",
    "LifecycleStage",
    "Order",
    "OrderLine",
    "Product",
]
