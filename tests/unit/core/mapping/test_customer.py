"""Customer mappings read the real payloads and write each platform's own update body."""

import pytest

from shared.core.errors import InvalidInput
from shared.core.mapping import FieldNotWritable, MappingContext, mapping_for
from shared.core.model import Address, Customer, EntityType, LifecycleStage, Money, System
from tests.unit.core.platforms.fixtures import load

CTX = MappingContext(default_phone_region="US", default_currency="USD")
OTTAWA = Address(line1="100 Queen St", city="Ottawa", region="ON", postal_code="K1P 1J9", country="CA")
OTTAWA_SUITE = OTTAWA.model_copy(update={"line2": "Suite 400"})
JANE = Customer(first_name="Jane", last_name="Doe", email="jane.doe@acme.example", phone="+16135550100")


def _read(system: System, fixture: str) -> Customer:
    mapping = mapping_for(system, EntityType.CUSTOMER)
    view = mapping.to_canonical(mapping.parse(load(fixture)), CTX)
    assert isinstance(view, Customer)
    return view


def test_hubspot_contact_reads_names_contact_stage_and_its_one_address() -> None:
    view = _read(System.HUBSPOT, "hubspot.contacts.jane")
    assert view == JANE.model_copy(
        update={"company": "Acme Corp", "lifecycle_stage": LifecycleStage.CUSTOMER, "addresses": (OTTAWA,)}
    )


def test_shopify_customer_reads_lower_cased_email_and_address_book() -> None:
    assert _read(System.SHOPIFY, "shopify.customers.jane") == JANE.model_copy(
        update={"addresses": (OTTAWA_SUITE,)}
    )


def test_netsuite_customer_reads_company_tax_id_credit_limit_and_address_book() -> None:
    view = _read(System.NETSUITE, "netsuite.customer.107")
    assert view.company == "Acme Corp"
    assert view.tax_id == "CA123456789RT0001"
    assert view.credit_limit == Money.of("5000.00", "USD")
    assert view.addresses == (OTTAWA_SUITE,)


def test_netsuite_credit_limit_uses_the_configured_currency_of_the_customer() -> None:
    ctx = CTX.model_copy(update={"netsuite_currencies": {"1": "CAD"}})
    mapping = mapping_for(System.NETSUITE, EntityType.CUSTOMER)
    view = mapping.to_canonical(mapping.parse(load("netsuite.customer.107")), ctx)
    assert isinstance(view, Customer)
    assert view.credit_limit == Money.of("5000.00", "CAD")


def test_hubspot_patch_is_string_properties() -> None:
    body = mapping_for(System.HUBSPOT, EntityType.CUSTOMER).to_platform_patch(JANE, ["email", "phone"], CTX)
    assert body == {"properties": {"email": "jane.doe@acme.example", "phone": "+16135550100"}}


def test_hubspot_patch_clears_an_absent_value_with_empty_string() -> None:
    body = mapping_for(System.HUBSPOT, EntityType.CUSTOMER).to_platform_patch(Customer(), ["company"], CTX)
    assert body == {"properties": {"company": ""}}


def test_hubspot_cannot_hold_two_addresses_or_a_second_line() -> None:
    mapping = mapping_for(System.HUBSPOT, EntityType.CUSTOMER)
    with pytest.raises(InvalidInput, match="one address"):
        mapping.to_platform_patch(Customer(addresses=(OTTAWA, OTTAWA)), ["addresses"], CTX)
    with pytest.raises(InvalidInput, match="second address line"):
        mapping.to_platform_patch(Customer(addresses=(OTTAWA_SUITE,)), ["addresses"], CTX)


def test_shopify_patch_wraps_fields_in_customer() -> None:
    body = mapping_for(System.SHOPIFY, EntityType.CUSTOMER).to_platform_patch(JANE, ["email", "phone"], CTX)
    assert body == {"customer": {"email": "jane.doe@acme.example", "phone": "+16135550100"}}


def test_shopify_cannot_hold_a_credit_limit() -> None:
    with pytest.raises(FieldNotWritable, match="credit limit"):
        mapping_for(System.SHOPIFY, EntityType.CUSTOMER).to_platform_patch(JANE, ["credit_limit"], CTX)


def test_netsuite_patch_is_flat_record_json_with_decimal_money_and_country_reference() -> None:
    view = JANE.model_copy(update={"credit_limit": Money.of("7500.00", "USD"), "addresses": (OTTAWA,)})
    body = mapping_for(System.NETSUITE, EntityType.CUSTOMER).to_platform_patch(
        view, ["email", "credit_limit", "addresses"], CTX
    )
    assert body == {
        "email": "jane.doe@acme.example",
        "creditLimit": Money.of("7500.00", "USD").amount,
        "addressBook": {
            "items": [
                {
                    "addressBookAddress": {
                        "addr1": "100 Queen St",
                        "addr2": None,
                        "city": "Ottawa",
                        "state": "ON",
                        "zip": "K1P 1J9",
                        "country": {"id": "CA"},
                    }
                }
            ]
        },
    }


def test_create_body_holds_only_fields_with_values() -> None:
    body = mapping_for(System.SHOPIFY, EntityType.CUSTOMER).to_platform_create(
        Customer(email="a@b.example"), CTX
    )
    assert body == {"customer": {"email": "a@b.example"}}
