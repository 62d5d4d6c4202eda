"""For every mapping, canonical -> platform body -> record -> canonical is the identity.

The body a mapping writes is applied to a platform record the way the platform would apply it
(``apply_body``), the record is parsed back, and every written field must read back unchanged.
Fields the platform computes itself (read-only) are covered by the fixture tests instead.
"""

import copy
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.mapping import AnyEntityMapping, MappingContext, all_mappings
from shared.core.mapping.fields import FieldMap
from shared.core.model import Customer, EntityType, Order, Product, System
from shared.core.snapshot import CanonicalView
from tests.unit.core.mapping.strategies import DEFAULT_CURRENCY, value_strategy
from tests.unit.core.platforms.fixtures import load

CTX = MappingContext(default_phone_region="US", default_currency=DEFAULT_CURRENCY)
_VIEW_TYPES: dict[EntityType, type[CanonicalView]] = {
    EntityType.CUSTOMER: Customer,
    EntityType.PRODUCT: Product,
    EntityType.ORDER: Order,
}
_STAMP = {
    "hubspot": {"updatedAt": "2024-06-10T15:59:56.004Z"},
    "shopify": {"updated_at": "2024-06-10T12:00:00-04:00"},
    "netsuite": {"lastModifiedDate": "2024-06-10T15:58:00Z"},
}
_FULL_RECORD = {
    (System.HUBSPOT, "contacts"): "hubspot.contacts.jane",
    (System.HUBSPOT, "products"): "hubspot.products.tshirt",
    (System.HUBSPOT, "deals"): "hubspot.deals.order1001",
    (System.SHOPIFY, "customers"): "shopify.customers.jane",
    (System.SHOPIFY, "orders"): "shopify.orders.1001",
    (System.NETSUITE, "customer"): "netsuite.customer.107",
    (System.NETSUITE, "inventoryItem"): "netsuite.inventoryItem.88",
    (System.NETSUITE, "salesOrder"): "netsuite.salesOrder.4321",
}


def _empty_record(mapping: AnyEntityMapping) -> dict[str, object]:
    """A record holding none of the mapped fields: what a create lands on."""
    stamp = _STAMP[mapping.system.value]
    if mapping.system is System.HUBSPOT:
        return {"id": "1", "properties": {}, **stamp}
    if mapping.object_type == "variants":
        return {"product": {"id": 1, "variants": [], **stamp}, "variant": {"id": 2}}
    return {"id": 1 if mapping.system is System.SHOPIFY else "1", **stamp}


def _full_record(mapping: AnyEntityMapping) -> dict[str, object]:
    """A real record with every field set: what a patch lands on."""
    if mapping.object_type == "variants":
        product = load("shopify.products.tshirt")
        return {"product": product, "variant": product["variants"][0]}  # type: ignore[index]
    return load(_FULL_RECORD[(mapping.system, mapping.object_type)])


def apply_body(
    mapping: AnyEntityMapping, record: dict[str, object], body: Mapping[str, object]
) -> dict[str, object]:
    """The record after the platform applied ``body`` (a patch or a create)."""
    result = copy.deepcopy(record)
    if mapping.system is System.HUBSPOT:
        result["properties"] = {**result["properties"], **body["properties"]}  # type: ignore[dict-item]
    elif mapping.object_type == "variants":
        product = dict(body.get("product", {}))  # type: ignore[call-overload]
        variant = body.get("variant") or product.pop("variants", [{}])[0]
        result["product"] = {**result["product"], **product}  # type: ignore[dict-item]
        result["variant"] = {**result["variant"], **variant}  # type: ignore[dict-item]
    elif mapping.system is System.SHOPIFY:
        (fields,) = body.values()
        result.update(fields)  # type: ignore[call-overload]
    else:
        result.update(body)
    return result


def _written_fields(mapping: AnyEntityMapping, *, creating: bool) -> list[str]:
    fields = getattr(mapping, "fields")  # noqa: B009 - the protocol does not expose the declarations
    return sorted(
        spec.field
        for spec in fields
        if isinstance(spec, FieldMap) and spec.write is not None and (creating or spec.on_update)
    )


def _views(mapping: AnyEntityMapping, fields: list[str]) -> st.SearchStrategy[CanonicalView]:
    values = st.fixed_dictionaries({name: value_strategy(mapping.system, name) for name in fields})
    return values.map(_VIEW_TYPES[mapping.entity_type].model_validate)


def _assert_reads_back(
    mapping: AnyEntityMapping, payload: dict[str, object], view: CanonicalView, fields: list[str]
) -> None:
    back = mapping.to_canonical(mapping.parse(payload), CTX)
    assert {name: getattr(back, name) for name in fields} == {name: getattr(view, name) for name in fields}


MAPPINGS = all_mappings()
IDS = [f"{m.system}-{m.entity_type}" for m in MAPPINGS]


@pytest.mark.parametrize("mapping", MAPPINGS, ids=IDS)
def test_every_mapping_writes_some_field(mapping: AnyEntityMapping) -> None:
    assert _written_fields(mapping, creating=True)


@pytest.mark.parametrize("mapping", MAPPINGS, ids=IDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_create_then_read_is_identity_on_written_fields(
    mapping: AnyEntityMapping, data: st.DataObject
) -> None:
    fields = _written_fields(mapping, creating=True)
    view = data.draw(_views(mapping, fields))
    body = mapping.to_platform_create(view, CTX)
    _assert_reads_back(mapping, apply_body(mapping, _empty_record(mapping), body), view, fields)


@pytest.mark.parametrize(
    "mapping", [m for m in MAPPINGS if m.writable_fields], ids=lambda m: f"{m.system}-{m.entity_type}"
)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_patch_then_read_is_identity_on_patched_fields(
    mapping: AnyEntityMapping, data: st.DataObject
) -> None:
    fields = sorted(mapping.writable_fields)
    view = data.draw(_views(mapping, fields))
    body = mapping.to_platform_patch(view, fields, CTX)
    _assert_reads_back(mapping, apply_body(mapping, _full_record(mapping), body), view, fields)
