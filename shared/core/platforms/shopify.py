"""Shopify Admin REST / webhook wire models (PLATFORMS.md 2.3).

Ids are JSON integers; a GraphQL global id (``gid://shopify/Customer/7045610061887``) is accepted
wherever an id is and read as its numeric tail, which equals the REST id. Money is a decimal
string (``"64.78"``), read as ``Decimal`` and written back as a string. Timestamps carry the
shop's UTC offset.
"""

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, Field, PlainSerializer

from shared.core.platforms.base import WireModel, WireRecord, utc, version_from

_GID = re.compile(r"^gid://shopify/[A-Za-z]+/([0-9]+)(\?.*)?$")


def _numeric_id(value: object) -> object:
    if isinstance(value, str):
        match = _GID.match(value)
        if match:
            return int(match.group(1))
    return value


ShopifyId = Annotated[int, BeforeValidator(_numeric_id), Field(ge=0)]
"""A Shopify record id: an integer, or a ``gid://shopify/<Type>/<n>`` string read as ``n``."""

ShopifyMoney = Annotated[Decimal, Field(allow_inf_nan=False), PlainSerializer(str, return_type=str)]
"""A money amount: a decimal string on the wire, ``Decimal`` in Python, never a float."""


class ShopifyAddress(WireModel):
    """A customer or order address; ``country_code`` is ISO 3166-1 alpha-2."""

    id: ShopifyId | None = None
    customer_id: ShopifyId | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province: str | None = None
    province_code: str | None = None
    country: str | None = None
    country_code: str | None = None
    zip: str | None = None
    phone: str | None = None
    default: bool | None = None


class ShopifyCustomerRef(WireModel):
    """The customer embedded in an order: possibly partial, so every field but ``id`` is optional."""

    id: ShopifyId
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    admin_graphql_api_id: str | None = None


class ShopifyCustomer(WireRecord):
    """A customer (``customers``)."""

    id: ShopifyId
    admin_graphql_api_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    state: str | None = None
    verified_email: bool | None = None
    tax_exempt: bool | None = None
    tags: str | None = None
    currency: str | None = None
    note: str | None = None
    addresses: list[ShopifyAddress] = Field(default_factory=list)
    default_address: ShopifyAddress | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime

    def external_id(self) -> str:
        return str(self.id)

    def source_version(self) -> str:
        return version_from(self.updated_at)

    def source_updated_at(self) -> datetime:
        return utc(self.updated_at)


class ShopifyVariant(WireModel):
    """A product variant: the unit Concord calls a product (one SKU, one price, one stock level)."""

    id: ShopifyId
    product_id: ShopifyId | None = None
    title: str | None = None
    sku: str | None = None
    price: ShopifyMoney | None = None
    compare_at_price: ShopifyMoney | None = None
    position: int | None = None
    inventory_item_id: ShopifyId | None = None
    inventory_quantity: int | None = None
    barcode: str | None = None
    taxable: bool | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None


class ShopifyProduct(WireRecord):
    """A product (``products``) with its variants; ``status`` is ``active``, ``draft`` or ``archived``."""

    id: ShopifyId
    admin_graphql_api_id: str | None = None
    title: str | None = None
    body_html: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    handle: str | None = None
    status: str | None = None
    tags: str | None = None
    published_at: AwareDatetime | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime
    variants: list[ShopifyVariant] = Field(default_factory=list)

    def external_id(self) -> str:
        return str(self.id)

    def source_version(self) -> str:
        return version_from(self.updated_at)

    def source_updated_at(self) -> datetime:
        return utc(self.updated_at)


class ShopifyVariantRecord(WireRecord):
    """One variant with its product: Concord's ``variants`` record (a canonical Product).

    Not a Shopify payload of its own: built by :func:`explode_product` from a product, or parsed
    from ``{"product": {...}, "variant": {...}}``. Its version is the later of the two
    ``updated_at`` values, because the title lives on the product and the price on the variant.
    """

    product: ShopifyProduct
    variant: ShopifyVariant

    def external_id(self) -> str:
        return str(self.variant.id)

    def source_updated_at(self) -> datetime:
        moments = [utc(self.product.updated_at)]
        if self.variant.updated_at is not None:
            moments.append(utc(self.variant.updated_at))
        return max(moments)

    def source_version(self) -> str:
        return version_from(self.source_updated_at())


def explode_product(product: ShopifyProduct) -> list[ShopifyVariantRecord]:
    """One record per variant, in Shopify's order; a product without variants yields none."""
    return [ShopifyVariantRecord(product=product, variant=variant) for variant in product.variants]


class ShopifyMoneyAmount(WireModel):
    amount: ShopifyMoney
    currency_code: str


class ShopifyPriceSet(WireModel):
    """A price in the shop's and the customer's (presentment) currencies."""

    shop_money: ShopifyMoneyAmount | None = None
    presentment_money: ShopifyMoneyAmount | None = None


class ShopifyLineItem(WireModel):
    """One order line; ``price`` is the unit price in the order currency."""

    id: ShopifyId | None = None
    product_id: ShopifyId | None = None
    variant_id: ShopifyId | None = None
    title: str | None = None
    variant_title: str | None = None
    sku: str | None = None
    quantity: int = Field(ge=0)
    price: ShopifyMoney
    total_discount: ShopifyMoney | None = None
    fulfillable_quantity: int | None = None
    fulfillment_status: str | None = None
    taxable: bool | None = None
    requires_shipping: bool | None = None
    vendor: str | None = None
    price_set: ShopifyPriceSet | None = None


class ShopifyShippingLine(WireModel):
    id: ShopifyId | None = None
    title: str | None = None
    code: str | None = None
    source: str | None = None
    price: ShopifyMoney
    discounted_price: ShopifyMoney | None = None


class ShopifyTransaction(WireModel):
    """A payment transaction; in a refund, ``kind == "refund"`` and ``status == "success"`` moved money."""

    id: ShopifyId | None = None
    order_id: ShopifyId | None = None
    kind: str | None = None
    status: str | None = None
    amount: ShopifyMoney
    currency: str | None = None
    gateway: str | None = None
    created_at: AwareDatetime | None = None


class ShopifyRefund(WireModel):
    id: ShopifyId
    order_id: ShopifyId | None = None
    created_at: AwareDatetime | None = None
    processed_at: AwareDatetime | None = None
    note: str | None = None
    transactions: list[ShopifyTransaction] = Field(default_factory=list)


class ShopifyOrder(WireRecord):
    """An order (``orders``): ``name`` is the display number (``"#1001"``), money fields are strings."""

    id: ShopifyId
    admin_graphql_api_id: str | None = None
    name: str | None = None
    order_number: int | None = None
    number: int | None = None
    email: str | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime
    processed_at: AwareDatetime | None = None
    cancelled_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    currency: str | None = None
    presentment_currency: str | None = None
    subtotal_price: ShopifyMoney | None = None
    total_tax: ShopifyMoney | None = None
    total_discounts: ShopifyMoney | None = None
    total_price: ShopifyMoney | None = None
    current_total_price: ShopifyMoney | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    test: bool | None = None
    customer: ShopifyCustomerRef | None = None
    line_items: list[ShopifyLineItem] = Field(default_factory=list)
    shipping_lines: list[ShopifyShippingLine] = Field(default_factory=list)
    shipping_address: ShopifyAddress | None = None
    billing_address: ShopifyAddress | None = None
    refunds: list[ShopifyRefund] = Field(default_factory=list)

    def external_id(self) -> str:
        return str(self.id)

    def source_version(self) -> str:
        return version_from(self.updated_at)

    def source_updated_at(self) -> datetime:
        return utc(self.updated_at)
