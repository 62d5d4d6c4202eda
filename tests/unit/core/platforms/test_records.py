"""Every record fixture parses into its typed record, keeps unknown fields and reports its version."""

import copy
from datetime import UTC

import pytest

from shared.core.errors import InvalidInput
from shared.core.model import EntityType, System
from shared.core.platforms import RECORD_TYPES, entity_type_for, object_type_for, parse_record
from tests.unit.core.platforms.fixtures import load, record_fixtures

RECORDS = record_fixtures()
# Shopify "variants" records are built from products, never delivered on their own.
RECORD_KINDS_WITH_FIXTURE = {(system, object_type) for system, object_type, _ in RECORDS}


def test_every_record_type_but_variants_has_a_fixture() -> None:
    assert set(RECORD_TYPES) - RECORD_KINDS_WITH_FIXTURE == {(System.SHOPIFY, "variants")}


@pytest.mark.parametrize(("system", "object_type", "name"), RECORDS)
def test_fixture_parses_into_its_record_type(system: System, object_type: str, name: str) -> None:
    record = parse_record(system, object_type, load(name))
    assert type(record) is RECORD_TYPES[(system, object_type)]
    assert record.external_id() == str(load(name)["id"]).rsplit("/", 1)[-1]


@pytest.mark.parametrize(("system", "object_type", "name"), RECORDS)
def test_unknown_fields_are_kept_and_reserialised(system: System, object_type: str, name: str) -> None:
    payload = load(name)
    payload["x_concord_unknown"] = {"nested": [1, "two"]}
    wire = parse_record(system, object_type, payload).to_wire()
    assert wire["x_concord_unknown"] == {"nested": [1, "two"]}
    assert set(payload) <= set(wire)


@pytest.mark.parametrize(("system", "object_type", "name"), RECORDS)
def test_source_time_is_aware_utc_and_version_sorts_with_it(
    system: System, object_type: str, name: str
) -> None:
    record = parse_record(system, object_type, load(name))
    updated = record.source_updated_at()
    assert updated.utcoffset() is not None
    assert updated.tzinfo == UTC
    assert record.source_version() == updated.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.mark.parametrize(("system", "object_type", "name"), RECORDS)
def test_payload_without_id_raises_invalid_input_naming_system_and_type(
    system: System, object_type: str, name: str
) -> None:
    payload = copy.deepcopy(load(name))
    del payload["id"]
    with pytest.raises(InvalidInput, match=rf"{system.value} {object_type} payload does not parse") as caught:
        parse_record(system, object_type, payload)
    assert "id" in str(caught.value)


@pytest.mark.parametrize(
    ("system", "object_type", "name", "field", "bad"),
    [
        (System.HUBSPOT, "contacts", "hubspot.contacts.jane", "updatedAt", "yesterday"),
        (System.HUBSPOT, "contacts", "hubspot.contacts.jane", "id", "abc"),
        (System.SHOPIFY, "orders", "shopify.orders.1001", "total_price", "lots"),
        (System.SHOPIFY, "customers", "shopify.customers.jane", "updated_at", "2024-06-10T11:58:30"),
        (System.NETSUITE, "salesOrder", "netsuite.salesOrder.4321", "total", "NaN"),
    ],
)
def test_malformed_field_raises_invalid_input(
    system: System, object_type: str, name: str, field: str, bad: object
) -> None:
    payload = load(name)
    payload[field] = bad
    with pytest.raises(InvalidInput, match=field):
        parse_record(system, object_type, payload)


def test_unknown_object_type_raises_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="tickets"):
        parse_record(System.HUBSPOT, "tickets", {})


@pytest.mark.parametrize(
    ("system", "entity_type", "object_type"),
    [
        (System.HUBSPOT, EntityType.CUSTOMER, "contacts"),
        (System.HUBSPOT, EntityType.PRODUCT, "products"),
        (System.HUBSPOT, EntityType.ORDER, "deals"),
        (System.SHOPIFY, EntityType.CUSTOMER, "customers"),
        (System.SHOPIFY, EntityType.PRODUCT, "variants"),
        (System.SHOPIFY, EntityType.ORDER, "orders"),
        (System.NETSUITE, EntityType.CUSTOMER, "customer"),
        (System.NETSUITE, EntityType.PRODUCT, "inventoryItem"),
        (System.NETSUITE, EntityType.ORDER, "salesOrder"),
    ],
)
def test_object_type_and_entity_type_are_inverse(
    system: System, entity_type: EntityType, object_type: str
) -> None:
    assert object_type_for(system, entity_type) == object_type
    assert entity_type_for(system, object_type) is entity_type


def test_shopify_products_hold_products_too() -> None:
    assert entity_type_for(System.SHOPIFY, "products") is EntityType.PRODUCT


def test_object_type_without_entity_raises_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="companies"):
        entity_type_for(System.HUBSPOT, "companies")
