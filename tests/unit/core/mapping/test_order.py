"""Order mappings: Shopify orders, NetSuite sales orders and the little a HubSpot deal holds."""

from datetime import UTC, datetime

import pytest

from shared.core.errors import InvalidInput
from shared.core.mapping import FieldNotWritable, MappingContext, mapping_for
from shared.core.model import (
    EntityType,
    FinancialStatus,
    FulfillmentStatus,
    Money,
    Order,
    OrderLine,
    Surface,
    System,
)
from tests.unit.core.platforms.fixtures import load

CTX = MappingContext(default_phone_region="US", default_currency="USD")
LINE = OrderLine(
    sku="TSHIRT-001-M-BLK", title="Classic T-Shirt", quantity=2, unit_price=Money.of("25.00", "USD")
)


def _usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def _read(system: System, fixture: str, ctx: MappingContext = CTX) -> Order:
    mapping = mapping_for(system, EntityType.ORDER)
    view = mapping.to_canonical(mapping.parse(load(fixture)), ctx)
    assert isinstance(view, Order)
    return view


def test_shopify_order_reads_lines_totals_successful_refunds_and_utc_placed_at() -> None:
    assert _read(System.SHOPIFY, "shopify.orders.1001") == Order(
        order_number="#1001",
        customer_email="jane.doe@acme.example",
        lines=(LINE,),
        subtotal=_usd("50.00"),
        tax=_usd("4.79"),
        shipping=_usd("9.99"),
        total=_usd("64.78"),
        refunded_total=_usd("10.00"),
        financial_status=FinancialStatus.PARTIALLY_REFUNDED,
        fulfillment_status=FulfillmentStatus.UNFULFILLED,
        placed_at=datetime(2024, 6, 10, 16, 5, tzinfo=UTC),
    )


def test_shopify_order_without_refunds_field_has_unknown_refunded_total() -> None:
    payload = {key: value for key, value in load("shopify.orders.1001").items() if key != "refunds"}
    mapping = mapping_for(System.SHOPIFY, EntityType.ORDER)
    view = mapping.to_canonical(mapping.parse(payload), CTX)
    assert isinstance(view, Order)
    assert view.refunded_total is None


def test_cancelled_shopify_order_is_cancelled_whatever_its_fulfillment_status() -> None:
    payload = {**load("shopify.orders.1001"), "cancelled_at": "2024-06-11T10:00:00-04:00"}
    mapping = mapping_for(System.SHOPIFY, EntityType.ORDER)
    view = mapping.to_canonical(mapping.parse(payload), CTX)
    assert isinstance(view, Order)
    assert view.fulfillment_status is FulfillmentStatus.CANCELLED


def test_netsuite_sales_order_reads_other_ref_num_lines_status_and_credit_memos() -> None:
    assert _read(System.NETSUITE, "netsuite.salesOrder.4321") == Order(
        order_number="#1001",
        customer_email="jane.doe@acme.example",
        lines=(LINE,),
        subtotal=_usd("50.00"),
        tax=_usd("4.79"),
        shipping=_usd("9.99"),
        total=_usd("64.78"),
        refunded_total=_usd("10.00"),
        financial_status=FinancialStatus.PARTIALLY_REFUNDED,
        fulfillment_status=FulfillmentStatus.UNFULFILLED,
    )


@pytest.mark.parametrize(("status", "states_payment"), [("B", False), ("F", False), ("G", True), ("C", True)])
def test_a_netsuite_sales_order_states_payment_only_once_billed_or_cancelled(
    status: str, states_payment: bool
) -> None:
    mapping = mapping_for(System.NETSUITE, EntityType.ORDER)
    unrefunded = {
        key: value for key, value in load("netsuite.salesOrder.4321").items() if key != "creditMemos"
    }
    record = mapping.parse({**unrefunded, "orderStatus": {"id": status}})
    seen = datetime(2024, 6, 11, tzinfo=UTC)
    snapshot = mapping.to_snapshot(record, CTX, observed_at=seen, surface=Surface.POLL)
    assert ("financial_status" in snapshot.represented) is states_payment
    assert "fulfillment_status" in snapshot.represented


def test_netsuite_currency_comes_from_the_context_table() -> None:
    view = _read(
        System.NETSUITE,
        "netsuite.salesOrder.4321",
        CTX.model_copy(update={"netsuite_currencies": {"1": "CAD"}}),
    )
    assert view.total == Money.of("64.78", "CAD")


def test_netsuite_fractional_quantity_is_refused() -> None:
    payload = load("netsuite.salesOrder.4321")
    payload["item"]["items"][0]["quantity"] = 1.5  # type: ignore[index]
    mapping = mapping_for(System.NETSUITE, EntityType.ORDER)
    with pytest.raises(InvalidInput, match="fractional quantity"):
        mapping.to_canonical(mapping.parse(payload), CTX)


def test_hubspot_deal_holds_amount_stage_and_close_date_only() -> None:
    assert _read(System.HUBSPOT, "hubspot.deals.order1001") == Order(
        total=_usd("64.78"),
        financial_status=FinancialStatus.PAID,
        placed_at=datetime(2024, 6, 10, 16, 5, tzinfo=UTC),
    )
    assert mapping_for(System.HUBSPOT, EntityType.ORDER).represented_fields == {
        "total",
        "financial_status",
        "placed_at",
    }


def test_hubspot_deal_patch_is_string_properties_with_currency_when_not_default() -> None:
    view = Order(
        total=Money.of("64.78", "EUR"),
        financial_status=FinancialStatus.PAID,
        placed_at=datetime(2024, 6, 10, 16, 5, 0, 123456, tzinfo=UTC),
    )
    body = mapping_for(System.HUBSPOT, EntityType.ORDER).to_platform_patch(
        view, ["total", "financial_status", "placed_at"], CTX
    )
    assert body == {
        "properties": {
            "amount": "64.78",
            "deal_currency_code": "EUR",
            "dealstage": "closedwon",
            "closedate": "2024-06-10T16:05:00.123Z",
        }
    }


def test_hubspot_deal_stage_cannot_express_a_pending_order() -> None:
    with pytest.raises(InvalidInput, match="no HubSpot deal stage"):
        mapping_for(System.HUBSPOT, EntityType.ORDER).to_platform_patch(
            Order(financial_status=FinancialStatus.PENDING), ["financial_status"], CTX
        )


def test_netsuite_patch_writes_other_ref_num_and_email() -> None:
    body = mapping_for(System.NETSUITE, EntityType.ORDER).to_platform_patch(
        Order(order_number="#1001", customer_email="jane.doe@acme.example"),
        ["order_number", "customer_email"],
        CTX,
    )
    assert body == {"otherRefNum": "#1001", "email": "jane.doe@acme.example"}


@pytest.mark.parametrize("field", ["lines", "total", "financial_status", "placed_at"])
def test_netsuite_computed_or_unrepresentable_fields_are_not_writable(field: str) -> None:
    with pytest.raises(FieldNotWritable):
        mapping_for(System.NETSUITE, EntityType.ORDER).to_platform_patch(Order(), [field], CTX)


def test_shopify_patch_writes_the_order_email() -> None:
    body = mapping_for(System.SHOPIFY, EntityType.ORDER).to_platform_patch(
        Order(customer_email="jane.doe@acme.example"), ["customer_email"], CTX
    )
    assert body == {"order": {"email": "jane.doe@acme.example"}}


@pytest.mark.parametrize(
    ("memos", "expected"),
    [
        ([10.0], FinancialStatus.PARTIALLY_REFUNDED),
        ([60.0, 4.78], FinancialStatus.REFUNDED),
        ([], FinancialStatus.PAID),
    ],
)
def test_a_billed_netsuite_order_states_its_refunds_through_its_credit_memos(
    memos: list[float], expected: FinancialStatus
) -> None:
    payload = load("netsuite.salesOrder.4321")
    memo = payload["creditMemos"][0]  # type: ignore[index]
    billed = {
        **payload,
        "orderStatus": {"id": "G"},
        "creditMemos": [{**memo, "total": total} for total in memos],
    }
    mapping = mapping_for(System.NETSUITE, EntityType.ORDER)
    view = mapping.to_canonical(mapping.parse(billed), CTX)
    assert isinstance(view, Order)
    assert view.financial_status is expected
