"""Product mappings: HubSpot products, Shopify variants, NetSuite inventory items.

A canonical product is one sellable SKU. In Shopify that is a *variant*: one Shopify product
with N variants is N canonical products (``explode_product``), each titled by its product.
Prices are bare amounts in every platform, read and written in ``ctx.default_currency``.
"""

from collections.abc import Callable

from shared.core.mapping.context import MappingContext
from shared.core.mapping.entity import EntityMapping
from shared.core.mapping.fields import FieldMap, Unrepresentable, typed
from shared.core.mapping.normalizers import normalize_sku, normalize_stripped, normalize_text
from shared.core.mapping.transforms import (
    attribute_writer,
    hubspot_property,
    money_in_default_currency,
    money_of,
    money_text,
    text_out,
)
from shared.core.model import EntityType, Product, System
from shared.core.platforms.base import WireObject
from shared.core.platforms.hubspot import HubSpotProduct
from shared.core.platforms.netsuite import NetSuiteInventoryItem
from shared.core.platforms.shopify import ShopifyVariantRecord

_INVENTORY_NOT_IN_HUBSPOT = "HubSpot products hold no stock level"
_ACTIVE_NOT_IN_HUBSPOT = "HubSpot has no active flag; an archived product is observed as deleted"


def _price_text(value: object, ctx: MappingContext) -> str:
    return money_text(money_in_default_currency(value, ctx, "price")) or ""


def hubspot_products() -> EntityMapping[HubSpotProduct, Product]:
    """HubSpot products: SKU (``hs_sku``), name, description and price."""
    return EntityMapping(
        system=System.HUBSPOT,
        entity_type=EntityType.PRODUCT,
        object_type="products",
        record_type=HubSpotProduct,
        view_type=Product,
        envelope=lambda fields, _creating: {"properties": fields},
        fields=(
            hubspot_property("sku", "hs_sku", lambda v, _c: normalize_sku(v)),
            hubspot_property("title", "name"),
            hubspot_property("description", "description", lambda v, _c: normalize_stripped(v)),
            hubspot_property("price", "price", lambda v, c: money_of(v, c.default_currency), _price_text),
            Unrepresentable("inventory_quantity", _INVENTORY_NOT_IN_HUBSPOT),
            Unrepresentable("active", _ACTIVE_NOT_IN_HUBSPOT),
        ),
    )


# Keys that live on the Shopify product rather than on the variant.
_SHOPIFY_PRODUCT_KEYS = frozenset({"title", "body_html", "status"})


def _shopify_envelope(fields: WireObject, creating: bool) -> WireObject:
    variant = {key: value for key, value in fields.items() if key not in _SHOPIFY_PRODUCT_KEYS}
    if not creating:
        return {"variant": variant}
    product: WireObject = {key: value for key, value in fields.items() if key in _SHOPIFY_PRODUCT_KEYS}
    product["variants"] = [variant]
    return {"product": product}


def _shopify_price_out(value: object, ctx: MappingContext) -> str | None:
    return money_text(money_in_default_currency(value, ctx, "price"))


def _shopify_status_out(value: object, _ctx: MappingContext) -> str | None:
    active = typed(value, bool, "active")
    return None if active is None else ("active" if active else "draft")


def _shopify_active(record: ShopifyVariantRecord, _ctx: MappingContext) -> bool | None:
    status = record.product.status
    return None if status is None else status == "active"


def _product_level(
    field: str,
    path: str,
    key: str,
    read: Callable[[ShopifyVariantRecord, MappingContext], object],
    out: Callable[[object, MappingContext], str | None],
) -> FieldMap[ShopifyVariantRecord]:
    # Set when the product is created; afterwards it belongs to the product, shared by its variants.
    return FieldMap(field, path, read, attribute_writer(key, out), on_update=False)


def shopify_variants() -> EntityMapping[ShopifyVariantRecord, Product]:
    """Shopify variants: SKU, price and stock from the variant; title, description and status from its product.

    Stock is read-only: Shopify changes it through the inventory-levels API, not the variant.
    """
    return EntityMapping(
        system=System.SHOPIFY,
        entity_type=EntityType.PRODUCT,
        object_type="variants",
        record_type=ShopifyVariantRecord,
        view_type=Product,
        envelope=_shopify_envelope,
        fields=(
            FieldMap(
                "sku",
                "variants[].sku",
                lambda r, _c: normalize_sku(r.variant.sku),
                attribute_writer("sku", text_out("sku")),
            ),
            FieldMap(
                "price",
                "variants[].price",
                lambda r, c: money_of(r.variant.price, c.default_currency),
                attribute_writer("price", _shopify_price_out),
            ),
            FieldMap(
                "inventory_quantity",
                "variants[].inventory_quantity",
                lambda r, _c: r.variant.inventory_quantity,
            ),
            _product_level(
                "title", "title", "title", lambda r, _c: normalize_text(r.product.title), text_out("title")
            ),
            _product_level(
                "description",
                "body_html",
                "body_html",
                lambda r, _c: normalize_stripped(r.product.body_html),
                text_out("description"),
            ),
            _product_level("active", "status", "status", _shopify_active, _shopify_status_out),
        ),
    )


def _netsuite_price(value: object, ctx: MappingContext) -> WireObject:
    money = money_in_default_currency(value, ctx, "price")
    return {"basePrice": None if money is None else money.quantized().amount}


def _netsuite_active(value: object, _ctx: MappingContext) -> WireObject:
    active = typed(value, bool, "active")
    return {"isInactive": None if active is None else not active}


def netsuite_inventory_items() -> EntityMapping[NetSuiteInventoryItem, Product]:
    """NetSuite inventory items: ``itemId`` is the SKU, ``displayName`` the title, ``basePrice`` the price."""
    return EntityMapping(
        system=System.NETSUITE,
        entity_type=EntityType.PRODUCT,
        object_type="inventoryItem",
        record_type=NetSuiteInventoryItem,
        view_type=Product,
        envelope=lambda fields, _creating: fields,
        fields=(
            FieldMap(
                "sku",
                "itemId",
                lambda r, _c: normalize_sku(r.item_id),
                attribute_writer("itemId", text_out("sku")),
            ),
            FieldMap(
                "title",
                "displayName",
                lambda r, _c: normalize_text(r.display_name),
                attribute_writer("displayName", text_out("title")),
            ),
            FieldMap(
                "description",
                "salesDescription",
                lambda r, _c: normalize_stripped(r.sales_description),
                attribute_writer("salesDescription", text_out("description")),
            ),
            FieldMap(
                "price", "basePrice", lambda r, c: money_of(r.base_price, c.default_currency), _netsuite_price
            ),
            FieldMap(
                "active",
                "isInactive",
                lambda r, _c: None if r.is_inactive is None else not r.is_inactive,
                _netsuite_active,
            ),
            Unrepresentable(
                "inventory_quantity",
                "NetSuite keeps stock per location (locations sublist); Concord does not aggregate it",
            ),
        ),
    )
