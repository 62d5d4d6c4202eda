"""NetSuite wire models: references, sublists, numbers as Decimal, Concord's attached credit memos."""

from decimal import Decimal

from shared.core.platforms.netsuite import NetSuiteCustomer, NetSuiteInventoryItem, NetSuiteSalesOrder
from tests.unit.core.platforms.fixtures import load


def test_references_carry_id_and_ref_name() -> None:
    order = NetSuiteSalesOrder.model_validate(load("netsuite.salesOrder.4321"))
    assert order.entity is not None
    assert (order.entity.id, order.entity.ref_name) == ("107", "CUST-107 Acme Corp")
    assert order.order_status is not None
    assert order.order_status.id == "B"


def test_json_numbers_read_as_exact_decimals() -> None:
    order = NetSuiteSalesOrder.model_validate(load("netsuite.salesOrder.4321"))
    assert order.total == Decimal("64.78")
    assert order.tax_total == Decimal("4.79")


def test_expanded_sublist_has_items_and_unexpanded_has_none() -> None:
    order = NetSuiteSalesOrder.model_validate(load("netsuite.salesOrder.4321"))
    assert order.item is not None
    assert order.item.items is not None
    assert order.item.items[0].rate == Decimal("25.0")
    item = NetSuiteInventoryItem.model_validate(load("netsuite.inventoryItem.88"))
    assert item.price is not None
    assert item.price.items is None


def test_attached_credit_memos_are_parsed() -> None:
    order = NetSuiteSalesOrder.model_validate(load("netsuite.salesOrder.4321"))
    assert order.credit_memos is not None
    assert [(memo.id, memo.total) for memo in order.credit_memos] == [("5001", Decimal("10.0"))]


def test_external_id_is_the_internal_id_not_the_external_id_field() -> None:
    customer = NetSuiteCustomer.model_validate(load("netsuite.customer.107"))
    assert customer.external_id() == "107"
    assert customer.outside_key == "shopify:7045610061887"
    assert customer.to_wire()["externalId"] == "shopify:7045610061887"


def test_legacy_t_f_strings_are_kept_verbatim() -> None:
    wire = NetSuiteSalesOrder.model_validate(load("netsuite.salesOrder.4321")).to_wire()
    assert wire["balreadyrefunded"] == "F"
    assert wire["canBeUnapproved"] is True
