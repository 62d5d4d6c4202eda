"""Refunds in the scenario: the Shopify refund, then NetSuite's credit memo for it (or planted drift).

A refund of an order mirrored in NetSuite is booked there as a ``creditMemo`` created from the
sales order, for the refunded amount. A few refunds are deliberately left without one (drift
"refund without credit memo", expected to surface as a ``missing`` discrepancy of the
``refund_credit_memo`` check). Choices come from ``world.rng`` only (see
:mod:`services.sandbox.scenario`).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from services.sandbox.scenario_model import DriftKind, InjectedDrift, World
from services.sandbox.scenario_records import CURRENCY, money_number, money_text
from services.sandbox.stamping import shopify_time
from shared.core.findings import DiscrepancyKind
from shared.core.model import System

CREDIT_MEMO = "creditMemo"
_REFUND_IDS = 9_100_000_000_000
_TRANSACTION_IDS = 6_200_000_000_000


def plan_unbooked(world: World, refunds: Sequence[int], count: int) -> set[int]:
    """Which of the refunded orders (indexes) get no credit memo: ``count`` of those in NetSuite,
    at most half of them (but at least one when there is any), so that most refunds stay booked."""
    in_netsuite = [number for number in refunds if System.NETSUITE in world.orders[number].records]
    if not count or not in_netsuite:
        return set()
    return set(world.rng.sample(in_netsuite, min(count, max(1, len(in_netsuite) // 2))))


async def refund(world: World, number: int, when: datetime, *, full: bool, credit_memo: bool) -> None:
    """Refund order ``number`` in Shopify at ``when``; book it in NetSuite unless ``credit_memo`` is off."""
    order = world.orders[number]
    shopify_id = order.records[System.SHOPIFY]
    record = await world.get(System.SHOPIFY, "orders", shopify_id)
    total = Decimal(str(record.get("total_price", "0")))
    lines = record.get("line_items")
    first = lines[0] if isinstance(lines, list) and lines and isinstance(lines[0], dict) else {}
    amount = total if full else min(total, Decimal(str(first.get("price", total))))
    serial = len(world.refunded) + 1
    changes: dict[str, object] = {
        "refunds": [_shopify_refund(record["id"], serial, amount, when)],
        "financial_status": "refunded" if amount == total else "partially_refunded",
        "current_total_price": money_text(total - amount),
    }
    await world.update(System.SHOPIFY, "orders", shopify_id, changes)
    world.refunded.append(order.key)
    sales_order_id = order.records.get(System.NETSUITE)
    if sales_order_id is None:
        return
    name = str(record.get("name", ""))
    if not credit_memo:
        world.drift.append(_unbooked(order.key, name, amount))
        return
    sales_order = await world.get(System.NETSUITE, "salesOrder", sales_order_id)
    memo = await world.create(
        System.NETSUITE, CREDIT_MEMO, netsuite_credit_memo(sales_order, name, amount, when)
    )
    world.credit_memos[order.key] = str(memo["id"])


def netsuite_credit_memo(
    sales_order: dict[str, object], order_name: str, amount: Decimal, when: datetime
) -> dict[str, object]:
    """A credit memo created from ``sales_order`` for ``amount``, dated ``when`` (UTC date)."""
    return {
        "createdFrom": {"id": sales_order["id"], "refName": f"Sales Order #{sales_order.get('tranId')}"},
        "entity": sales_order.get("entity"),
        "currency": sales_order.get("currency"),
        "otherRefNum": order_name,
        "memo": f"Refund of Shopify order {order_name}",
        "total": money_number(amount),
        "tranDate": when.astimezone(UTC).date().isoformat(),
    }


def _shopify_refund(order_id: object, serial: int, amount: Decimal, when: datetime) -> dict[str, object]:
    transaction = {
        "id": _TRANSACTION_IDS + serial,
        "order_id": order_id,
        "kind": "refund",
        "status": "success",
    }
    transaction |= {"amount": money_text(amount), "currency": CURRENCY, "gateway": "shopify_payments"}
    refund_record = {"id": _REFUND_IDS + serial, "order_id": order_id, "created_at": shopify_time(when)}
    return refund_record | {
        "processed_at": shopify_time(when),
        "note": "Customer return",
        "transactions": [transaction],
    }


def _unbooked(entity: str, order_name: str, amount: Decimal) -> InjectedDrift:
    return InjectedDrift(
        kind=DriftKind.MISSING,
        entity=entity,
        system=System.NETSUITE,
        object_type=CREDIT_MEMO,
        record_id=None,
        field=None,
        after=f"a refund of {money_text(amount)} {CURRENCY} on {order_name} without a credit memo",
        emitted=False,
        expected=DiscrepancyKind.MISSING,
    )
