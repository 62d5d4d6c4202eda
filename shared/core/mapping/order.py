"""Order mappings: HubSpot deals, Shopify orders, NetSuite sales orders.

Order contents (lines, totals, statuses) are computed by the platform that holds them, so they are
read-only here; what Concord writes back is what an operator can correct: the customer email,
the external order number, and a deal's amount, stage and close date. A HubSpot deal holds only
what a deal holds; everything else is declared unrepresentable.
"""

from datetime import datetime
from decimal import Decimal

from shared.core.errors import InvalidInput
from shared.core.mapping.context import MappingContext
from shared.core.mapping.entity import EntityMapping
from shared.core.mapping.fields import FieldMap, Unrepresentable, typed
from shared.core.mapping.normalizers import normalize_currency, normalize_email, normalize_sku, normalize_text
from shared.core.mapping.statuses import (
    HUBSPOT_DEAL_STAGE_WRITE,
    hubspot_deal_stage,
    netsuite_order_status,
    shopify_financial_status,
    shopify_fulfillment_status,
)
from shared.core.mapping.transforms import (
    attribute_writer,
    hubspot_property,
    money_of,
    money_text,
    read_hubspot_time,
    text_out,
    write_hubspot_time,
)
from shared.core.model import EntityType, FinancialStatus, FulfillmentStatus, Money, Order, OrderLine, System
from shared.core.platforms.base import WireObject, utc
from shared.core.platforms.hubspot import HubSpotDeal
from shared.core.platforms.netsuite import NetSuiteSalesOrder, NetSuiteSalesOrderLine
from shared.core.platforms.shopify import ShopifyOrder

_DEAL = "a HubSpot deal does not hold it"

# ---------------------------------------------------------------- HubSpot deals


def _deal_total(record: HubSpotDeal, ctx: MappingContext) -> Money | None:
    return money_of(record.prop("amount"), record.prop("deal_currency_code") or ctx.default_currency)


def _write_deal_total(value: object, ctx: MappingContext) -> WireObject:
    money = typed(value, Money, "total")
    fields: WireObject = {"amount": money_text(money) or ""}
    if money is not None and money.currency != ctx.default_currency:
        fields["deal_currency_code"] = money.currency
    return fields


def _deal_stage_out(value: object, _ctx: MappingContext) -> str:
    status = typed(value, FinancialStatus, "financial_status")
    if status is None or status not in HUBSPOT_DEAL_STAGE_WRITE:
        raise InvalidInput(
            f"financial_status: no HubSpot deal stage means {status}; move the deal in HubSpot"
        )
    return HUBSPOT_DEAL_STAGE_WRITE[status]


def _closedate_out(value: object, _ctx: MappingContext) -> str:
    return write_hubspot_time(typed(value, datetime, "placed_at"))


def hubspot_deals() -> EntityMapping[HubSpotDeal, Order]:
    """HubSpot deals: ``amount`` is the total, ``dealstage`` the financial status, ``closedate`` placed_at."""
    return EntityMapping(
        system=System.HUBSPOT,
        entity_type=EntityType.ORDER,
        object_type="deals",
        record_type=HubSpotDeal,
        view_type=Order,
        envelope=lambda fields, _creating: {"properties": fields},
        fields=(
            FieldMap("total", "properties.amount (+deal_currency_code)", _deal_total, _write_deal_total),
            hubspot_property(
                "financial_status", "dealstage", lambda v, _c: hubspot_deal_stage(v), _deal_stage_out
            ),
            hubspot_property("placed_at", "closedate", lambda v, _c: read_hubspot_time(v), _closedate_out),
            Unrepresentable("order_number", "dealname is free text, not an order number"),
            Unrepresentable("customer_email", "the customer is an associated contact, not a deal property"),
            Unrepresentable("lines", "line items are separate HubSpot objects associated with the deal"),
            Unrepresentable("subtotal", _DEAL),
            Unrepresentable("tax", _DEAL),
            Unrepresentable("shipping", _DEAL),
            Unrepresentable("refunded_total", _DEAL),
            Unrepresentable("fulfillment_status", _DEAL),
        ),
    )


# ---------------------------------------------------------------- Shopify orders


def _shopify_currency(record: ShopifyOrder, ctx: MappingContext) -> str:
    return normalize_currency(record.currency) if record.currency else ctx.default_currency


def _shopify_money(record: ShopifyOrder, ctx: MappingContext, amount: Decimal | None) -> Money | None:
    return money_of(amount, _shopify_currency(record, ctx))


def _shopify_lines(record: ShopifyOrder, ctx: MappingContext) -> tuple[OrderLine, ...]:
    currency = _shopify_currency(record, ctx)
    return tuple(
        OrderLine(
            sku=normalize_sku(line.sku),
            title=normalize_text(line.title),
            quantity=line.quantity,
            unit_price=Money(amount=line.price, currency=currency).quantized(),
        )
        for line in record.line_items
    )


def _sum_or_none(
    record: ShopifyOrder, ctx: MappingContext, field: str, amounts: list[Decimal]
) -> Money | None:
    # A payload trimmed by include_fields lacks the list: unknown, not zero.
    if field not in record.model_fields_set:
        return None
    return _shopify_money(record, ctx, sum(amounts, Decimal(0)))


def _shopify_shipping(record: ShopifyOrder, ctx: MappingContext) -> Money | None:
    return _sum_or_none(record, ctx, "shipping_lines", [line.price for line in record.shipping_lines])


def _shopify_refunded(record: ShopifyOrder, ctx: MappingContext) -> Money | None:
    moved = [
        transaction.amount
        for refund in record.refunds
        for transaction in refund.transactions
        if transaction.kind == "refund" and transaction.status == "success"
    ]
    return _sum_or_none(record, ctx, "refunds", moved)


def _shopify_fulfillment(record: ShopifyOrder, _ctx: MappingContext) -> FulfillmentStatus | None:
    if record.cancelled_at is not None:
        return FulfillmentStatus.CANCELLED
    return shopify_fulfillment_status(record.fulfillment_status)


def _shopify_placed_at(record: ShopifyOrder, _ctx: MappingContext) -> datetime | None:
    moment = record.processed_at or record.created_at
    return None if moment is None else utc(moment)


def shopify_orders() -> EntityMapping[ShopifyOrder, Order]:
    """Shopify orders: ``name`` (``#1001``) is the order number; money in the order's ``currency``."""
    return EntityMapping(
        system=System.SHOPIFY,
        entity_type=EntityType.ORDER,
        object_type="orders",
        record_type=ShopifyOrder,
        view_type=Order,
        envelope=lambda fields, _creating: {"order": fields},
        fields=(
            FieldMap("order_number", "name", lambda r, _c: normalize_text(r.name)),
            FieldMap(
                "customer_email",
                "email",
                lambda r, _c: normalize_email(r.email),
                attribute_writer("email", text_out("customer_email")),
            ),
            FieldMap("lines", "line_items[]", _shopify_lines),
            FieldMap("subtotal", "subtotal_price", lambda r, c: _shopify_money(r, c, r.subtotal_price)),
            FieldMap("tax", "total_tax", lambda r, c: _shopify_money(r, c, r.total_tax)),
            FieldMap("shipping", "shipping_lines[].price", _shopify_shipping),
            FieldMap("total", "total_price", lambda r, c: _shopify_money(r, c, r.total_price)),
            FieldMap(
                "refunded_total",
                "refunds[].transactions[kind=refund,status=success].amount",
                _shopify_refunded,
            ),
            FieldMap(
                "financial_status",
                "financial_status",
                lambda r, _c: shopify_financial_status(r.financial_status),
            ),
            FieldMap("fulfillment_status", "fulfillment_status, cancelled_at", _shopify_fulfillment),
            FieldMap("placed_at", "processed_at", _shopify_placed_at),
        ),
    )


# ---------------------------------------------------------------- NetSuite sales orders


def _netsuite_currency(record: NetSuiteSalesOrder, ctx: MappingContext) -> str:
    ref = record.currency
    if ref is None:
        return ctx.default_currency
    if ref.id and ref.id in ctx.netsuite_currencies:
        return ctx.netsuite_currencies[ref.id]
    # A currency's refName is its name ("USA", "Euro"); accept it only where it is an ISO code.
    try:
        return normalize_currency(ref.ref_name or "")
    except InvalidInput:
        return ctx.default_currency


def _netsuite_money(record: NetSuiteSalesOrder, ctx: MappingContext, amount: Decimal | None) -> Money | None:
    return money_of(amount, _netsuite_currency(record, ctx))


def _netsuite_sku(line: NetSuiteSalesOrderLine) -> str | None:
    # A matrix child item's refName is "Parent : Child"; the SKU is the last segment.
    name = line.item.ref_name if line.item else None
    return normalize_sku(name.rsplit(" : ", 1)[-1]) if name else None


def _netsuite_line(line: NetSuiteSalesOrderLine, currency: str) -> OrderLine:
    quantity = line.quantity or Decimal(0)
    if quantity != quantity.to_integral_value():
        raise InvalidInput(f"salesOrder line {line.line}: fractional quantity {quantity}")
    return OrderLine(
        sku=_netsuite_sku(line),
        title=normalize_text(line.description),
        quantity=int(quantity),
        unit_price=Money(amount=line.rate or Decimal(0), currency=currency).quantized(),
    )


def _netsuite_lines(record: NetSuiteSalesOrder, ctx: MappingContext) -> tuple[OrderLine, ...]:
    items = (record.item.items if record.item else None) or []
    currency = _netsuite_currency(record, ctx)
    return tuple(_netsuite_line(line, currency) for line in items)


def _netsuite_refunded(record: NetSuiteSalesOrder, ctx: MappingContext) -> Money | None:
    if record.credit_memos is None:
        return None
    return _netsuite_money(record, ctx, sum((memo.total for memo in record.credit_memos), Decimal(0)))


def _netsuite_financial(record: NetSuiteSalesOrder) -> FinancialStatus | None:
    """Credit memos created from the order state its refunds (the order's status stays "Billed");
    without any, billing or cancelling states payment and earlier statuses state nothing."""
    refunded = sum((memo.total for memo in record.credit_memos or ()), Decimal(0))
    if refunded > 0:
        whole = record.total is not None and refunded >= record.total
        return FinancialStatus.REFUNDED if whole else FinancialStatus.PARTIALLY_REFUNDED
    return netsuite_order_status(_netsuite_status(record))[0]


def _netsuite_status(record: NetSuiteSalesOrder) -> str | None:
    if record.order_status is not None:
        return record.order_status.id or record.order_status.ref_name
    return record.status if isinstance(record.status, str) else (record.status.id if record.status else None)


def netsuite_sales_orders() -> EntityMapping[NetSuiteSalesOrder, Order]:
    """NetSuite sales orders: ``otherRefNum`` holds the shop's order number; refunds are credit memos."""
    return EntityMapping(
        system=System.NETSUITE,
        entity_type=EntityType.ORDER,
        object_type="salesOrder",
        record_type=NetSuiteSalesOrder,
        view_type=Order,
        envelope=lambda fields, _creating: fields,
        fields=(
            FieldMap(
                "order_number",
                "otherRefNum",
                lambda r, _c: normalize_text(r.other_ref_num),
                attribute_writer("otherRefNum", text_out("order_number")),
            ),
            FieldMap(
                "customer_email",
                "email",
                lambda r, _c: normalize_email(r.email),
                attribute_writer("email", text_out("customer_email")),
            ),
            FieldMap("lines", "item.items[]", _netsuite_lines),
            FieldMap("subtotal", "subtotal", lambda r, c: _netsuite_money(r, c, r.subtotal)),
            FieldMap("tax", "taxTotal", lambda r, c: _netsuite_money(r, c, r.tax_total)),
            FieldMap("shipping", "shippingCost", lambda r, c: _netsuite_money(r, c, r.shipping_cost)),
            FieldMap("total", "total", lambda r, c: _netsuite_money(r, c, r.total)),
            FieldMap("refunded_total", "creditMemos[].total (attached by Concord)", _netsuite_refunded),
            FieldMap(
                "financial_status",
                "orderStatus, creditMemos[].total",
                lambda r, _c: _netsuite_financial(r),
                stated=lambda r: _netsuite_financial(r) is not None,
            ),
            FieldMap(
                "fulfillment_status",
                "orderStatus",
                lambda r, _c: netsuite_order_status(_netsuite_status(r))[1],
            ),
            Unrepresentable("placed_at", "tranDate is a date in the account's time zone, not an instant"),
        ),
    )
