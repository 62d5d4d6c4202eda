"""Platform status vocabularies -> canonical statuses, kept as data tables.

Lookups are case-insensitive and trimmed. Canonical values map to themselves where a table takes
canonical input too, so these normalisers are idempotent. Unknown values give ``None``: an
unfamiliar status is shown as absent rather than guessed.
"""

from collections.abc import Mapping

from shared.core.model import FinancialStatus, FulfillmentStatus, LifecycleStage

SHOPIFY_FINANCIAL_STATUS: Mapping[str, FinancialStatus] = {
    **{status.value: status for status in FinancialStatus},
    "expired": FinancialStatus.VOIDED,
}

# Shopify's null fulfillment_status means nothing is fulfilled yet; "restocked" follows a cancellation.
SHOPIFY_FULFILLMENT_STATUS: Mapping[str | None, FulfillmentStatus] = {
    **{status.value: status for status in FulfillmentStatus},
    None: FulfillmentStatus.UNFULFILLED,
    "partial": FulfillmentStatus.PARTIALLY_FULFILLED,
    "restocked": FulfillmentStatus.CANCELLED,
}

SHOPIFY_FULFILLMENT_WRITE: Mapping[FulfillmentStatus, str | None] = {
    FulfillmentStatus.UNFULFILLED: None,
    FulfillmentStatus.PARTIALLY_FULFILLED: "partial",
    FulfillmentStatus.FULFILLED: "fulfilled",
    FulfillmentStatus.CANCELLED: "restocked",
}

NetSuiteOrderState = tuple[FinancialStatus | None, FulfillmentStatus | None]

# A sales order tracks billing, not payment: "Billed" is read as settled (paid) because Concord's
# orders are paid at checkout, and "Cancelled" as voided. Before billing a sales order says nothing
# about payment (a web order paid at checkout sits in "Pending Fulfillment" until it ships), so those
# statuses state no financial status and are not compared with one. "Closed" means the open lines
# were closed: nothing more ships, and payment is not stated.
_NETSUITE_STATES: Mapping[str, tuple[str, NetSuiteOrderState]] = {
    "A": ("Pending Approval", (None, FulfillmentStatus.UNFULFILLED)),
    "B": ("Pending Fulfillment", (None, FulfillmentStatus.UNFULFILLED)),
    "C": ("Cancelled", (FinancialStatus.VOIDED, FulfillmentStatus.CANCELLED)),
    "D": ("Partially Fulfilled", (None, FulfillmentStatus.PARTIALLY_FULFILLED)),
    "E": ("Pending Billing/Partially Fulfilled", (None, FulfillmentStatus.PARTIALLY_FULFILLED)),
    "F": ("Pending Billing", (None, FulfillmentStatus.FULFILLED)),
    "G": ("Billed", (FinancialStatus.PAID, FulfillmentStatus.FULFILLED)),
    "H": ("Closed", (None, FulfillmentStatus.CANCELLED)),
}

NETSUITE_SALES_ORDER_STATUS: Mapping[str, NetSuiteOrderState] = {
    **{letter.casefold(): state for letter, (_, state) in _NETSUITE_STATES.items()},
    **{f"salesord:{letter}".casefold(): state for letter, (_, state) in _NETSUITE_STATES.items()},
    **{name.casefold(): state for _, (name, state) in _NETSUITE_STATES.items()},
}
"""Status letter (``B``), saved-search code (``SalesOrd:B``) or name -> (financial, fulfillment)."""

HUBSPOT_DEAL_STAGE: Mapping[str, FinancialStatus] = {
    "appointmentscheduled": FinancialStatus.PENDING,
    "qualifiedtobuy": FinancialStatus.PENDING,
    "presentationscheduled": FinancialStatus.PENDING,
    "decisionmakerboughtin": FinancialStatus.PENDING,
    "contractsent": FinancialStatus.PENDING,
    "closedwon": FinancialStatus.PAID,
    "closedlost": FinancialStatus.VOIDED,
}
"""Default-pipeline stage ids -> the order's financial status (custom pipelines are not mapped)."""

HUBSPOT_DEAL_STAGE_WRITE: Mapping[FinancialStatus, str] = {
    FinancialStatus.PAID: "closedwon",
    FinancialStatus.VOIDED: "closedlost",
}
"""Financial statuses a deal stage can express without choosing an open stage for the operator."""

HUBSPOT_LIFECYCLE_STAGE: Mapping[str, LifecycleStage] = {stage.value: stage for stage in LifecycleStage}


def _key(value: str) -> str:
    return value.strip().casefold()


def shopify_financial_status(value: str | None) -> FinancialStatus | None:
    """Shopify ``financial_status`` (or a canonical value) -> FinancialStatus; ``None`` if unknown."""
    return None if value is None else SHOPIFY_FINANCIAL_STATUS.get(_key(value))


def shopify_fulfillment_status(value: str | None) -> FulfillmentStatus | None:
    """Shopify ``fulfillment_status`` (null means unfulfilled, or a canonical value) -> FulfillmentStatus."""
    return SHOPIFY_FULFILLMENT_STATUS.get(None if value is None else _key(value))


def netsuite_order_status(value: str | None) -> NetSuiteOrderState:
    """A NetSuite sales order status (letter, ``SalesOrd:X`` code or name) -> (financial, fulfillment)."""
    if value is None:
        return (None, None)
    return NETSUITE_SALES_ORDER_STATUS.get(_key(value), (None, None))


def hubspot_deal_stage(value: str | None) -> FinancialStatus | None:
    """A default-pipeline deal stage id -> FinancialStatus; ``None`` for custom or unknown stages."""
    return None if value is None else HUBSPOT_DEAL_STAGE.get(_key(value))


def hubspot_lifecycle_stage(value: str | None) -> LifecycleStage | None:
    """A HubSpot ``lifecyclestage`` id -> LifecycleStage; custom stage ids give ``OTHER``."""
    if value is None or not value.strip():
        return None
    return HUBSPOT_LIFECYCLE_STAGE.get(_key(value), LifecycleStage.OTHER)
