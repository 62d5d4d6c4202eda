"""Status tables map platform vocabularies to canonical statuses, idempotently."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.mapping.statuses import (
    HUBSPOT_DEAL_STAGE,
    HUBSPOT_DEAL_STAGE_WRITE,
    SHOPIFY_FULFILLMENT_WRITE,
    hubspot_deal_stage,
    hubspot_lifecycle_stage,
    netsuite_order_status,
    shopify_financial_status,
    shopify_fulfillment_status,
)
from shared.core.model import FinancialStatus, FulfillmentStatus, LifecycleStage

F, S = FinancialStatus, FulfillmentStatus


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("paid", F.PAID),
        ("PARTIALLY_REFUNDED", F.PARTIALLY_REFUNDED),
        ("voided", F.VOIDED),
        ("weird", None),
        (None, None),
    ],
)
def test_shopify_financial_status(raw: str | None, expected: FinancialStatus | None) -> None:
    assert shopify_financial_status(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, S.UNFULFILLED),
        ("partial", S.PARTIALLY_FULFILLED),
        ("fulfilled", S.FULFILLED),
        ("restocked", S.CANCELLED),
    ],
)
def test_shopify_fulfillment_status_null_means_unfulfilled(
    raw: str | None, expected: FulfillmentStatus
) -> None:
    assert shopify_fulfillment_status(raw) is expected


def test_shopify_fulfillment_write_table_reads_back() -> None:
    for status, wire in SHOPIFY_FULFILLMENT_WRITE.items():
        assert shopify_fulfillment_status(wire) is status


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A", (None, S.UNFULFILLED)),
        ("SalesOrd:B", (None, S.UNFULFILLED)),
        ("Pending Fulfillment", (None, S.UNFULFILLED)),
        ("salesord:d", (None, S.PARTIALLY_FULFILLED)),
        ("Pending Billing/Partially Fulfilled", (None, S.PARTIALLY_FULFILLED)),
        ("Pending Billing", (None, S.FULFILLED)),
        ("G", (F.PAID, S.FULFILLED)),
        ("Billed", (F.PAID, S.FULFILLED)),
        ("Cancelled", (F.VOIDED, S.CANCELLED)),
        ("SalesOrd:H", (None, S.CANCELLED)),
        ("Pending Approval", (None, S.UNFULFILLED)),
        ("Z", (None, None)),
        (None, (None, None)),
    ],
)
def test_netsuite_sales_order_status(
    raw: str | None, expected: tuple[FinancialStatus | None, FulfillmentStatus | None]
) -> None:
    assert netsuite_order_status(raw) == expected


def test_hubspot_deal_stages_map_open_won_and_lost() -> None:
    assert hubspot_deal_stage("appointmentscheduled") is F.PENDING
    assert hubspot_deal_stage("contractsent") is F.PENDING
    assert hubspot_deal_stage("closedwon") is F.PAID
    assert hubspot_deal_stage("closedlost") is F.VOIDED
    assert hubspot_deal_stage("12345678") is None


def test_hubspot_deal_stage_write_table_reads_back() -> None:
    for status, stage in HUBSPOT_DEAL_STAGE_WRITE.items():
        assert HUBSPOT_DEAL_STAGE[stage] is status


def test_hubspot_lifecycle_stage_custom_ids_are_other() -> None:
    assert hubspot_lifecycle_stage("marketingqualifiedlead") is LifecycleStage.MARKETING_QUALIFIED_LEAD
    assert hubspot_lifecycle_stage("98765") is LifecycleStage.OTHER
    assert hubspot_lifecycle_stage("") is None


@given(st.one_of(st.none(), st.text(max_size=20), st.sampled_from([s.value for s in FinancialStatus])))
def test_shopify_financial_status_is_idempotent(raw: str | None) -> None:
    once = shopify_financial_status(raw)
    assert shopify_financial_status(once) is once


@given(st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["partial", "fulfilled", "restocked"])))
def test_shopify_fulfillment_status_is_idempotent(raw: str | None) -> None:
    once = shopify_fulfillment_status(raw)
    if once is not None:
        assert shopify_fulfillment_status(once) is once


@given(st.one_of(st.none(), st.text(max_size=20), st.sampled_from([s.value for s in LifecycleStage])))
def test_hubspot_lifecycle_stage_is_idempotent(raw: str | None) -> None:
    once = hubspot_lifecycle_stage(raw)
    assert hubspot_lifecycle_stage(once) is once
