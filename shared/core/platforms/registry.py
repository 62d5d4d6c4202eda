"""Which platform record type holds which canonical entity, and parsing payloads into them."""

from collections.abc import Mapping

from pydantic import ValidationError

from shared.core.errors import InvalidInput
from shared.core.model import EntityType, System
from shared.core.platforms.base import WireRecord
from shared.core.platforms.hubspot import (
    HubSpotCompany,
    HubSpotContact,
    HubSpotDeal,
    HubSpotLineItem,
    HubSpotProduct,
)
from shared.core.platforms.netsuite import NetSuiteCustomer, NetSuiteInventoryItem, NetSuiteSalesOrder
from shared.core.platforms.shopify import ShopifyCustomer, ShopifyOrder, ShopifyProduct, ShopifyVariantRecord

OBJECT_TYPES: Mapping[tuple[System, EntityType], str] = {
    (System.HUBSPOT, EntityType.CUSTOMER): "contacts",
    (System.HUBSPOT, EntityType.PRODUCT): "products",
    (System.HUBSPOT, EntityType.ORDER): "deals",
    (System.SHOPIFY, EntityType.CUSTOMER): "customers",
    # A canonical product is one Shopify variant; "products" payloads are exploded into variants.
    (System.SHOPIFY, EntityType.PRODUCT): "variants",
    (System.SHOPIFY, EntityType.ORDER): "orders",
    (System.NETSUITE, EntityType.CUSTOMER): "customer",
    (System.NETSUITE, EntityType.PRODUCT): "inventoryItem",
    (System.NETSUITE, EntityType.ORDER): "salesOrder",
}
"""The platform object type that holds each canonical entity type."""

RECORD_TYPES: Mapping[tuple[System, str], type[WireRecord]] = {
    (System.HUBSPOT, "contacts"): HubSpotContact,
    (System.HUBSPOT, "companies"): HubSpotCompany,
    (System.HUBSPOT, "products"): HubSpotProduct,
    (System.HUBSPOT, "deals"): HubSpotDeal,
    (System.HUBSPOT, "line_items"): HubSpotLineItem,
    (System.SHOPIFY, "customers"): ShopifyCustomer,
    (System.SHOPIFY, "products"): ShopifyProduct,
    (System.SHOPIFY, "variants"): ShopifyVariantRecord,
    (System.SHOPIFY, "orders"): ShopifyOrder,
    (System.NETSUITE, "customer"): NetSuiteCustomer,
    (System.NETSUITE, "inventoryItem"): NetSuiteInventoryItem,
    (System.NETSUITE, "salesOrder"): NetSuiteSalesOrder,
}
"""The wire model of each platform object type Concord reads."""

_ENTITY_TYPES: Mapping[tuple[System, str], EntityType] = {
    **{(system, object_type): entity for (system, entity), object_type in OBJECT_TYPES.items()},
    (System.SHOPIFY, "products"): EntityType.PRODUCT,
}


def object_type_for(system: System, entity_type: EntityType) -> str:
    """The platform object type holding ``entity_type`` in ``system`` (e.g. hubspot customer -> contacts)."""
    return OBJECT_TYPES[(system, entity_type)]


def entity_type_for(system: System, object_type: str) -> EntityType:
    """The canonical entity type an object type holds; raises ``InvalidInput`` for one Concord does not map.

    Shopify ``products`` maps to ``product`` too: such payloads are exploded into ``variants``.
    """
    try:
        return _ENTITY_TYPES[(system, object_type)]
    except KeyError:
        raise InvalidInput(f"{system} object type {object_type!r} holds no canonical entity") from None


def parse_record(system: System, object_type: str, payload: Mapping[str, object]) -> WireRecord:
    """The typed record for a payload; raises ``InvalidInput`` naming system, object type and the error."""
    record_type = RECORD_TYPES.get((system, object_type))
    if record_type is None:
        raise InvalidInput(f"{system}: no record type for object type {object_type!r}")
    try:
        return record_type.model_validate(payload)
    except ValidationError as error:
        raise InvalidInput(f"{system} {object_type} payload does not parse: {error}") from error
