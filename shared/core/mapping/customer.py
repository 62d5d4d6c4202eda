"""Customer mappings: HubSpot contacts, Shopify customers, NetSuite customers."""

from collections.abc import Callable

from shared.core.errors import InvalidInput
from shared.core.mapping.context import MappingContext
from shared.core.mapping.entity import EntityMapping
from shared.core.mapping.fields import FieldMap, Unrepresentable, typed
from shared.core.mapping.normalizers import normalize_email, normalize_name, normalize_phone
from shared.core.mapping.statuses import hubspot_lifecycle_stage
from shared.core.mapping.transforms import (
    address_fields,
    addresses_of,
    attribute_writer,
    hubspot_property,
    make_address,
    text_out,
)
from shared.core.model import Address, Customer, EntityType, LifecycleStage, Money, System
from shared.core.platforms.base import WireObject
from shared.core.platforms.hubspot import HubSpotContact, HubSpotObject
from shared.core.platforms.netsuite import NetSuiteAddress, NetSuiteCustomer, NetSuiteRef
from shared.core.platforms.shopify import ShopifyAddress, ShopifyCustomer

_NOT_IN_SHOPIFY_OR_HUBSPOT = "no standard field holds it"
_LIFECYCLE_NOT_IN_NETSUITE = (
    "NetSuite's entityStatus is an account-specific list with no fixed mapping to lifecycle stages"
)

# ---------------------------------------------------------------- HubSpot contacts

_HUBSPOT_ADDRESS_KEYS = {
    "line1": "address",
    "city": "city",
    "region": "state",
    "postal_code": "zip",
    "country": "country",
}


def _hubspot_address(record: HubSpotObject, _ctx: MappingContext) -> tuple[Address, ...]:
    address = make_address(
        line1=record.prop("address"),
        line2=None,
        city=record.prop("city"),
        region=record.prop("state"),
        postal=record.prop("zip"),
        country=record.prop("country"),
    )
    return (address,) if address else ()


def _write_hubspot_address(value: object, _ctx: MappingContext) -> WireObject:
    addresses = addresses_of(value, "addresses")
    if len(addresses) > 1:
        raise InvalidInput("addresses: a HubSpot contact holds one address")
    if addresses and addresses[0].line2 is not None:
        raise InvalidInput("addresses: a HubSpot contact has no second address line")
    return address_fields(addresses[0] if addresses else None, _HUBSPOT_ADDRESS_KEYS, blank="")


def _phone_in(value: str | None, ctx: MappingContext) -> str | None:
    return normalize_phone(value, ctx.default_phone_region)


def _lifecycle_out(value: object, _ctx: MappingContext) -> str:
    stage = typed(value, LifecycleStage, "lifecycle_stage")
    return stage.value if stage else ""


def hubspot_contacts() -> EntityMapping[HubSpotContact, Customer]:
    """HubSpot contacts: one address in flat properties; no tax id or credit limit."""
    return EntityMapping(
        system=System.HUBSPOT,
        entity_type=EntityType.CUSTOMER,
        object_type="contacts",
        record_type=HubSpotContact,
        view_type=Customer,
        envelope=lambda fields, _creating: {"properties": fields},
        fields=(
            hubspot_property("first_name", "firstname", lambda v, _c: normalize_name(v)),
            hubspot_property("last_name", "lastname", lambda v, _c: normalize_name(v)),
            hubspot_property("email", "email", lambda v, _c: normalize_email(v)),
            hubspot_property("phone", "phone", _phone_in),
            hubspot_property("company", "company", lambda v, _c: normalize_name(v)),
            hubspot_property(
                "lifecycle_stage", "lifecyclestage", lambda v, _c: hubspot_lifecycle_stage(v), _lifecycle_out
            ),
            FieldMap(
                "addresses",
                "properties.address/city/state/zip/country",
                _hubspot_address,
                _write_hubspot_address,
            ),
            Unrepresentable("tax_id", _NOT_IN_SHOPIFY_OR_HUBSPOT),
            Unrepresentable("credit_limit", _NOT_IN_SHOPIFY_OR_HUBSPOT),
        ),
    )


# ---------------------------------------------------------------- Shopify customers


def _shopify_address_in(address: ShopifyAddress) -> Address | None:
    return make_address(
        line1=address.address1,
        line2=address.address2,
        city=address.city,
        region=address.province_code or address.province,
        postal=address.zip,
        country=address.country_code or address.country,
    )


def _shopify_addresses(record: ShopifyCustomer, _ctx: MappingContext) -> tuple[Address, ...]:
    converted = (_shopify_address_in(address) for address in record.addresses)
    return tuple(address for address in converted if address is not None)


_SHOPIFY_ADDRESS_KEYS = {
    "line1": "address1",
    "line2": "address2",
    "city": "city",
    "region": "province_code",
    "postal_code": "zip",
    "country": "country_code",
}


def _write_shopify_addresses(value: object, _ctx: MappingContext) -> WireObject:
    addresses = addresses_of(value, "addresses")
    return {
        "addresses": [address_fields(address, _SHOPIFY_ADDRESS_KEYS, blank=None) for address in addresses]
    }


def _shopify_field(
    field: str, read: Callable[[ShopifyCustomer, MappingContext], object]
) -> FieldMap[ShopifyCustomer]:
    return FieldMap(field, field, read, attribute_writer(field, text_out(field)))


def shopify_customers() -> EntityMapping[ShopifyCustomer, Customer]:
    """Shopify customers: names, email, phone and the address book; no company, tax id or stage."""
    return EntityMapping(
        system=System.SHOPIFY,
        entity_type=EntityType.CUSTOMER,
        object_type="customers",
        record_type=ShopifyCustomer,
        view_type=Customer,
        envelope=lambda fields, _creating: {"customer": fields},
        fields=(
            _shopify_field("first_name", lambda r, _c: normalize_name(r.first_name)),
            _shopify_field("last_name", lambda r, _c: normalize_name(r.last_name)),
            _shopify_field("email", lambda r, _c: normalize_email(r.email)),
            _shopify_field("phone", lambda r, c: normalize_phone(r.phone, c.default_phone_region)),
            FieldMap("addresses", "addresses[]", _shopify_addresses, _write_shopify_addresses),
            Unrepresentable("company", "a Shopify customer has no company; only its addresses name one"),
            Unrepresentable("tax_id", _NOT_IN_SHOPIFY_OR_HUBSPOT),
            Unrepresentable("lifecycle_stage", "Shopify has no lifecycle stage"),
            Unrepresentable("credit_limit", "Shopify has no credit limit"),
        ),
    )


# ---------------------------------------------------------------- NetSuite customers


def _netsuite_country(country: NetSuiteRef | str | None) -> str | None:
    return country.id if isinstance(country, NetSuiteRef) else country


def _netsuite_address_in(address: NetSuiteAddress) -> Address | None:
    return make_address(
        line1=address.addr1,
        line2=address.addr2,
        city=address.city,
        region=address.state,
        postal=address.zip,
        country=_netsuite_country(address.country),
    )


def _netsuite_addresses(record: NetSuiteCustomer, _ctx: MappingContext) -> tuple[Address, ...]:
    # An unexpanded address book (links only) reads as no addresses; connectors expand sub-resources.
    entries = (record.address_book.items if record.address_book else None) or []
    converted = (_netsuite_address_in(entry.address) for entry in entries if entry.address)
    return tuple(address for address in converted if address is not None)


_NETSUITE_ADDRESS_KEYS = {
    "line1": "addr1",
    "line2": "addr2",
    "city": "city",
    "region": "state",
    "postal_code": "zip",
}


def _netsuite_address_out(address: Address) -> WireObject:
    fields = address_fields(address, _NETSUITE_ADDRESS_KEYS, blank=None)
    fields["country"] = {"id": address.country} if address.country else None
    return {"addressBookAddress": fields}


def _write_netsuite_addresses(value: object, _ctx: MappingContext) -> WireObject:
    # The connector must PATCH with ?replace=addressBook so the sublist is replaced, not appended to.
    addresses = addresses_of(value, "addresses")
    return {"addressBook": {"items": [_netsuite_address_out(address) for address in addresses]}}


def _credit_limit(record: NetSuiteCustomer, ctx: MappingContext) -> Money | None:
    if record.credit_limit is None:
        return None
    currency = ctx.netsuite_currencies.get(record.currency.id or "") if record.currency else None
    return Money(amount=record.credit_limit, currency=currency or ctx.default_currency).quantized()


def _write_credit_limit(value: object, ctx: MappingContext) -> WireObject:
    money = typed(value, Money, "credit_limit")
    return {"creditLimit": None if money is None else money.quantized().amount}


def _netsuite_field(
    field: str, key: str, read: Callable[[NetSuiteCustomer, MappingContext], object]
) -> FieldMap[NetSuiteCustomer]:
    return FieldMap(field, key, read, attribute_writer(key, text_out(field)))


def netsuite_customers() -> EntityMapping[NetSuiteCustomer, Customer]:
    """NetSuite customers: names, email, phone, company, address book, tax registration, credit limit.

    The credit limit is in the customer's currency (``ctx.netsuite_currencies``, else the default);
    a write sends the amount only, so it must already be in that currency.
    """
    return EntityMapping(
        system=System.NETSUITE,
        entity_type=EntityType.CUSTOMER,
        object_type="customer",
        record_type=NetSuiteCustomer,
        view_type=Customer,
        envelope=lambda fields, _creating: fields,
        fields=(
            _netsuite_field("first_name", "firstName", lambda r, _c: normalize_name(r.first_name)),
            _netsuite_field("last_name", "lastName", lambda r, _c: normalize_name(r.last_name)),
            _netsuite_field("email", "email", lambda r, _c: normalize_email(r.email)),
            _netsuite_field("phone", "phone", lambda r, c: normalize_phone(r.phone, c.default_phone_region)),
            _netsuite_field("company", "companyName", lambda r, _c: normalize_name(r.company_name)),
            _netsuite_field("tax_id", "vatRegNumber", lambda r, _c: normalize_name(r.vat_reg_number)),
            FieldMap(
                "addresses",
                "addressBook.items[].addressBookAddress",
                _netsuite_addresses,
                _write_netsuite_addresses,
            ),
            FieldMap("credit_limit", "creditLimit", _credit_limit, _write_credit_limit),
            Unrepresentable("lifecycle_stage", _LIFECYCLE_NOT_IN_NETSUITE),
        ),
    )
