from datetime import timedelta

import pytest

from shared.core.model import EntityType, FulfillmentStatus, LifecycleStage, System
from shared.core.policy import CustomerState, OrderState, ProductState, lifecycle_state
from tests.unit.core.checks.builders import Snapshot, customer, entity, order, product


@pytest.mark.parametrize(
    ("snapshots", "order_count", "expected"),
    [
        ([customer(System.HUBSPOT, lifecycle_stage=LifecycleStage.LEAD)], 0, CustomerState.PROSPECT),
        ([customer(System.HUBSPOT, lifecycle_stage=LifecycleStage.CUSTOMER)], 0, CustomerState.BUYER),
        ([customer(System.SHOPIFY, email="a@b.example")], 2, CustomerState.BUYER),
        (
            [customer(System.SHOPIFY, email="a@b.example"), customer(System.NETSUITE, email="a@b.example")],
            2,
            CustomerState.ERP_CUSTOMER,
        ),
        (
            [customer(System.SHOPIFY, email="a@b.example"), customer(System.NETSUITE, deleted=True)],
            2,
            CustomerState.BUYER,
        ),
    ],
)
def test_customer_state_follows_orders_stage_and_netsuite(
    snapshots: list[Snapshot], order_count: int, expected: CustomerState
) -> None:
    subject = entity(*snapshots, order_count=order_count)

    assert subject.state is expected
    assert lifecycle_state(EntityType.CUSTOMER, subject.live, order_count) is expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([FulfillmentStatus.UNFULFILLED, None], OrderState.OPEN),
        ([FulfillmentStatus.UNFULFILLED, FulfillmentStatus.FULFILLED], OrderState.FULFILLED),
        ([FulfillmentStatus.FULFILLED, FulfillmentStatus.CANCELLED], OrderState.CANCELLED),
    ],
)
def test_order_state_is_fulfilled_or_cancelled_once_any_platform_says_so(
    statuses: list[FulfillmentStatus | None], expected: OrderState
) -> None:
    subject = entity(
        order(System.SHOPIFY, fulfillment_status=statuses[0]),
        order(System.NETSUITE, fulfillment_status=statuses[1]),
    )

    assert subject.state is expected


def test_product_is_inactive_when_any_platform_deactivated_it() -> None:
    active = entity(product(System.SHOPIFY, active=True), product(System.NETSUITE, active=True))
    inactive = entity(product(System.SHOPIFY, active=True), product(System.NETSUITE, active=False))

    assert active.state is ProductState.ACTIVE
    assert inactive.state is ProductState.INACTIVE


def test_unlinked_snapshot_does_not_count_towards_the_state() -> None:
    subject = entity(
        customer(System.SHOPIFY, email="a@b.example"),
        customer(System.NETSUITE, email="a@b.example", changed_ago=timedelta(minutes=1)),
        linked={System.SHOPIFY},
        order_count=1,
    )

    assert subject.state is CustomerState.BUYER
