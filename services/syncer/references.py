"""How a create body points at the records it depends on, per platform (an order's customer and items).

The core's mappings write an order's own fields; the links to other records are platform ids known
only once the plan's earlier creates ran, so they are added here, at the edge. Only NetSuite sales
orders are supported (``entity`` and the ``item`` sublist, PLATFORMS.md 3.x); a create with
references into any other platform is refused rather than written without them.
"""

from collections.abc import Sequence

from shared.core.errors import InvalidInput
from shared.core.model import EntityType, ExternalRef, Order, System
from shared.core.platforms.base import WireObject, WireValue
from shared.core.sync import PlannedWrite
from shared.core.sync.model import Reference


def with_references(
    planned: PlannedWrite, body: WireObject, references: Sequence[tuple[Reference, ExternalRef]]
) -> WireObject:
    """``body`` of the create ``planned`` with its references added; raises ``InvalidInput`` if the
    target cannot take them."""
    if not references:
        return body
    if (planned.system, planned.entity_type) != (System.NETSUITE, EntityType.ORDER) or not isinstance(
        planned.view, Order
    ):
        raise InvalidInput(f"Concord cannot yet create a {planned.system} {planned.entity_type} that points at "
                           "other records")  # fmt: skip
    return {**body, **_netsuite_sales_order(planned.view, references)}


def _netsuite_sales_order(order: Order, references: Sequence[tuple[Reference, ExternalRef]]) -> WireObject:
    """``entity`` (the customer) and one ``item`` sublist line per order line, in order."""
    items = {ref.line: target for ref, target in references if ref.role == "item"}
    customer = next((target for ref, target in references if ref.role == "customer"), None)
    lines: list[WireValue] = []
    for index, line in enumerate(order.lines):
        item = items.get(index)
        if item is None:
            raise InvalidInput(f"line {index} of the order has no item to point at")
        # refName is NetSuite's own (derived from the item); sent so the line reads as the item's SKU.
        lines.append({"item": {"id": item.external_id, "refName": line.sku}, "quantity": line.quantity,
                      "rate": line.unit_price.amount, "description": line.title})  # fmt: skip
    fields: WireObject = {"item": {"items": lines}}
    if customer is not None:
        fields["entity"] = {"id": customer.external_id}
    return fields


__all__ = ["with_references"]
