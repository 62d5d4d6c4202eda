"""Order values compared by meaning rather than as copies: totals rebuilt from their parts."""

from shared.core.model import Money
from shared.core.policy.lifecycle import AnySnapshot
from shared.core.snapshot import OrderSnapshot


def represents_total(snapshot: AnySnapshot) -> bool:
    """Whether the platform holds an order total, directly or as subtotal (plus tax and shipping)."""
    return isinstance(snapshot, OrderSnapshot) and bool({"total", "subtotal"} & snapshot.represented)


def order_total(snapshot: AnySnapshot) -> Money | None:
    """The order's grand total after tax and shipping, in its currency, rounded to the minor unit.

    The platform's own total when it holds one; else subtotal + tax + shipping (absent parts count as
    zero). ``None`` when neither is known or the parts mix currencies.
    """
    if not isinstance(snapshot, OrderSnapshot):
        return None
    order = snapshot.values
    if "total" in snapshot.represented and order.total is not None:
        return order.total.quantized()
    if order.subtotal is None:
        return None
    total = order.subtotal
    for part in (order.tax, order.shipping):
        if part is None:
            continue
        if part.currency != total.currency:
            return None
        total = total + part
    return total.quantized()


def refunded(snapshot: AnySnapshot) -> Money | None:
    """Money given back (Shopify refunds, NetSuite credit memos); ``None`` when nothing was."""
    if not isinstance(snapshot, OrderSnapshot) or snapshot.values.refunded_total is None:
        return None
    amount = snapshot.values.refunded_total.quantized()
    return amount if amount.amount != 0 else None
