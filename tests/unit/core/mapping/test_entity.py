"""EntityMapping: declarations must be complete, write-backs refuse what a platform cannot hold."""

from datetime import UTC, datetime

import pytest

from shared.core.errors import InvalidInput
from shared.core.mapping import (
    EntityMapping,
    FieldMap,
    FieldNotWritable,
    MappingContext,
    Unrepresentable,
    mapping_for,
)
from shared.core.model import Customer, EntityType, Money, Order, Product, Surface, System
from shared.core.platforms.hubspot import HubSpotContact
from shared.core.snapshot import CustomerSnapshot, field_value
from tests.unit.core.platforms.fixtures import load

CTX = MappingContext(default_phone_region="US", default_currency="USD")
_ALL_BUT_EMAIL = tuple(
    Unrepresentable(name, "test") for name in Customer.model_fields if name not in {"entity_id", "email"}
)
_EMAIL: FieldMap[HubSpotContact] = FieldMap("email", "properties.email", lambda r, _c: r.prop("email"))


def _mapping(*fields: FieldMap[HubSpotContact] | Unrepresentable) -> EntityMapping[HubSpotContact, Customer]:
    return EntityMapping(
        system=System.HUBSPOT,
        entity_type=EntityType.CUSTOMER,
        object_type="contacts",
        record_type=HubSpotContact,
        view_type=Customer,
        envelope=lambda body, _creating: body,
        fields=fields,
    )


def test_a_complete_declaration_builds() -> None:
    assert _mapping(_EMAIL, *_ALL_BUT_EMAIL).represented_fields == {"email"}


def test_a_missing_field_is_refused() -> None:
    with pytest.raises(ValueError, match=r"missing \['email'\]"):
        _mapping(*_ALL_BUT_EMAIL)


def test_a_field_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match=r"duplicated \['email'\]"):
        _mapping(_EMAIL, Unrepresentable("email", "twice"), *_ALL_BUT_EMAIL)


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown \['nickname'\]"):
        _mapping(_EMAIL, Unrepresentable("nickname", "no such field"), *_ALL_BUT_EMAIL)


def test_snapshot_carries_ref_represented_fields_and_source_version() -> None:
    mapping = mapping_for(System.HUBSPOT, EntityType.CUSTOMER)
    observed = datetime(2024, 6, 10, 16, 0, tzinfo=UTC)
    snapshot = mapping.to_snapshot(
        mapping.parse(load("hubspot.contacts.jane")), CTX, observed_at=observed, surface=Surface.WEBHOOK
    )
    assert isinstance(snapshot, CustomerSnapshot)
    assert snapshot.ref.key == "hubspot:contacts:51"
    assert snapshot.represented == mapping.represented_fields
    assert snapshot.source_version == "2024-06-10T15:59:56.004000Z"
    assert snapshot.values.entity_id is None
    assert field_value(snapshot, "email") == "jane.doe@acme.example"
    with pytest.raises(KeyError):
        field_value(snapshot, "credit_limit")


def test_patch_of_an_unrepresentable_field_raises_with_the_reason() -> None:
    mapping = mapping_for(System.HUBSPOT, EntityType.ORDER)
    with pytest.raises(FieldNotWritable, match="line items are separate HubSpot objects"):
        mapping.to_platform_patch(Order(), ["lines"], CTX)


def test_patch_of_a_read_only_field_raises() -> None:
    mapping = mapping_for(System.SHOPIFY, EntityType.ORDER)
    with pytest.raises(FieldNotWritable, match="total"):
        mapping.to_platform_patch(Order(total=Money.of("1.00", "USD")), ["total"], CTX)


def test_patch_of_a_create_only_field_raises() -> None:
    mapping = mapping_for(System.SHOPIFY, EntityType.PRODUCT)
    with pytest.raises(FieldNotWritable, match="title"):
        mapping.to_platform_patch(Product(title="T-Shirt"), ["title"], CTX)


def test_patch_without_fields_raises() -> None:
    with pytest.raises(InvalidInput, match="at least one field"):
        mapping_for(System.HUBSPOT, EntityType.CUSTOMER).to_platform_patch(Customer(), [], CTX)


def test_view_of_the_wrong_entity_type_is_refused() -> None:
    with pytest.raises(InvalidInput, match="got a Order"):
        mapping_for(System.HUBSPOT, EntityType.CUSTOMER).to_platform_patch(Order(), ["email"], CTX)


def test_record_of_the_wrong_type_is_refused() -> None:
    contact = HubSpotContact.model_validate(load("hubspot.contacts.jane"))
    with pytest.raises(InvalidInput, match="got a HubSpotContact"):
        mapping_for(System.HUBSPOT, EntityType.ORDER).to_canonical(contact, CTX)


def test_wrong_value_type_in_a_view_is_refused_by_the_writer() -> None:
    view = Customer.model_construct(email=42)  # type: ignore[arg-type]  # a view built around validation
    with pytest.raises(InvalidInput, match="email: expected str"):
        mapping_for(System.SHOPIFY, EntityType.CUSTOMER).to_platform_patch(view, ["email"], CTX)
