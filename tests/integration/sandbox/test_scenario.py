"""The seeded scenario on the real MongoDB-protocol server: reproducible history and planted drift."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.sandbox.scenario import DriftKind, ScenarioConfig, ScenarioReport, run_scenario
from services.sandbox.stamping import OBJECT_TYPES
from services.sandbox.store import ChangeEvent, SandboxStore
from shared.core.findings import DiscrepancyKind
from shared.core.model import System

pytestmark = pytest.mark.integration

# A seed whose 20 orders include refunds of orders mirrored in NetSuite (about 15 % of orders are
# refunded), so that both booked and unbooked refunds occur; the tests below check both.
CONFIG = ScenarioConfig(seed=24, customers=12, products=6, orders=20, drift=0.7)


class StepClock:
    """Starts at a fixed instant and advances 250 ms per reading: deterministic, distinct stamps."""

    def __init__(self) -> None:
        self.now = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=250)
        return self.now


StoreFactory = Callable[[], Awaitable[SandboxStore]]


@pytest.fixture
async def fresh_store(
    async_mongo: AsyncMongoClient[dict[str, Any]], unique: str
) -> AsyncIterator[StoreFactory]:
    names: list[str] = []

    async def build() -> SandboxStore:
        name = f"test_scenario_{unique}_{len(names)}"
        names.append(name)
        store = SandboxStore(async_mongo[name], clock=StepClock())
        await store.ensure_indexes()
        return store

    yield build
    for name in names:
        await async_mongo.drop_database(name)


async def contents(store: SandboxStore) -> dict[str, list[dict[str, object]]]:
    return {
        f"{system}:{object_type}": await store.all(system, object_type)
        for system, object_types in OBJECT_TYPES.items()
        for object_type in object_types
    }


async def test_same_seed_gives_the_same_report_and_the_same_store_contents(fresh_store: StoreFactory) -> None:
    first_store, second_store = await fresh_store(), await fresh_store()
    first = await run_scenario(first_store, CONFIG)
    second = await run_scenario(second_store, CONFIG)
    assert first == second
    assert await contents(first_store) == await contents(second_store)
    assert sum(len(records) for records in (await contents(first_store)).values()) > 60


async def test_another_seed_gives_another_history(fresh_store: StoreFactory) -> None:
    first = await run_scenario(await fresh_store(), CONFIG)
    other = await run_scenario(await fresh_store(), CONFIG.model_copy(update={"seed": 22}))
    assert [c.natural_key for c in first.customers] != [c.natural_key for c in other.customers]
    assert first.drift != other.drift


@pytest.fixture
async def story(fresh_store: StoreFactory) -> tuple[SandboxStore, ScenarioReport, list[ChangeEvent]]:
    store = await fresh_store()
    heard: list[ChangeEvent] = []

    async def listen(event: ChangeEvent) -> None:
        heard.append(event)

    store.add_listener(listen)
    return store, await run_scenario(store, CONFIG), heard


async def test_every_reported_record_exists_and_products_share_their_sku(
    story: tuple[SandboxStore, ScenarioReport, list[ChangeEvent]],
) -> None:
    store, report, _ = story
    assert (len(report.customers), len(report.products), len(report.orders)) == (12, 6, 20)
    for product in report.products:
        netsuite = await store.get(System.NETSUITE, "inventoryItem", product.records[System.NETSUITE])
        shopify = await store.get(System.SHOPIFY, "products", product.records[System.SHOPIFY])
        hubspot = await store.get(System.HUBSPOT, "products", product.records[System.HUBSPOT])
        assert netsuite
        assert shopify
        assert hubspot
        variants: list[dict[str, Any]] = shopify["variants"]  # type: ignore[assignment]  # stored JSON
        properties: dict[str, Any] = hubspot["properties"]  # type: ignore[assignment]  # stored JSON
        assert netsuite["itemId"] == variants[0]["sku"] == properties["hs_sku"] == product.natural_key
    for order in report.orders:
        shopify = await store.get(System.SHOPIFY, "orders", order.records[System.SHOPIFY])
        deal = await store.get(System.HUBSPOT, "deals", order.records[System.HUBSPOT])
        assert shopify
        assert deal
        assert shopify["name"] == order.natural_key
        assert deal["properties"]["dealname"] == f"Shopify order {order.natural_key}"  # type: ignore[index]
        if System.NETSUITE in order.records:
            sales_order = await store.get(System.NETSUITE, "salesOrder", order.records[System.NETSUITE])
            assert sales_order
            assert sales_order["otherRefNum"] == order.natural_key
    assert report.fulfilled
    assert report.refunded
    assert report.price_changes


async def test_drift_of_every_kind_is_planted_where_the_report_says(
    story: tuple[SandboxStore, ScenarioReport, list[ChangeEvent]],
) -> None:
    store, report, heard = story
    kinds = {drift.kind for drift in report.drift}
    assert kinds == set(DriftKind)
    for drift in report.drift:
        if drift.kind is DriftKind.MISSING:
            assert drift.record_id is None
            assert drift.expected is DiscrepancyKind.MISSING
            continue
        assert drift.record_id is not None
        assert drift.field is not None
        record = await store.get(drift.system, drift.object_type, drift.record_id)
        assert record is not None
        properties = record.get("properties")
        current = properties.get(drift.field) if isinstance(properties, dict) else record.get(drift.field)
        assert str(current) == drift.after != drift.before
        if drift.kind is DriftKind.FORMATTING:
            assert drift.after is not None
            assert drift.before is not None
            assert drift.after.casefold() == drift.before.casefold() or drift.field == "phone"
        same_record = [
            e
            for e in heard
            if (e.system, e.object_type, e.record_id) == (drift.system, drift.object_type, drift.record_id)
        ]
        last_heard = same_record[-1].record
        heard_properties = last_heard.get("properties")
        heard_value = (
            heard_properties.get(drift.field)
            if isinstance(heard_properties, dict)
            else last_heard.get(drift.field)
        )
        assert (str(heard_value) == drift.after) is drift.emitted
        assert drift.emitted is (drift.kind is not DriftKind.OUT_OF_BAND)


async def test_customers_missing_from_netsuite_have_shopify_orders(
    story: tuple[SandboxStore, ScenarioReport, list[ChangeEvent]],
) -> None:
    _, report, _ = story
    missing = {d.entity for d in report.drift if d.kind is DriftKind.MISSING and d.object_type == "customer"}
    assert len(missing) == 2
    for customer in report.customers:
        assert (System.NETSUITE not in customer.records) is (customer.key in missing)
    shopify_customers = {c.records[System.SHOPIFY] for c in report.customers if c.key in missing}
    ordered_by = set()
    for order in report.orders:
        shopify = await story[0].get(System.SHOPIFY, "orders", order.records[System.SHOPIFY])
        assert shopify is not None
        ordered_by.add(str(shopify["customer"]["id"]))  # type: ignore[index]
    assert shopify_customers <= ordered_by


def test_orders_without_customers_or_products_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one customer"):
        ScenarioConfig(customers=0, orders=3)


async def test_refunds_of_orders_in_netsuite_have_credit_memos_except_the_planted_drift(
    story: tuple[SandboxStore, ScenarioReport, list[ChangeEvent]],
) -> None:
    store, report, _ = story
    orders = {order.key: order for order in report.orders}
    unbooked = {d.entity for d in report.drift if d.object_type == "creditMemo"}
    in_netsuite = {key for key in report.refunded if System.NETSUITE in orders[key].records}
    assert unbooked
    assert report.credit_memos
    assert set(report.credit_memos) | unbooked == in_netsuite
    assert not set(report.credit_memos) & unbooked
    memos = await store.all(System.NETSUITE, "creditMemo")
    assert sorted(str(memo["id"]) for memo in memos) == sorted(report.credit_memos.values())
    for key, memo_id in report.credit_memos.items():
        memo = await store.get(System.NETSUITE, "creditMemo", memo_id)
        shopify = await store.get(System.SHOPIFY, "orders", orders[key].records[System.SHOPIFY])
        assert memo is not None
        assert shopify is not None
        assert memo["createdFrom"]["id"] == orders[key].records[System.NETSUITE]  # type: ignore[index]  # stored JSON
        assert str(memo["tranId"]).startswith("CM-")
        refunds: list[dict[str, Any]] = shopify["refunds"]  # type: ignore[assignment]  # stored JSON
        refunded = sum(
            (Decimal(t["amount"]) for refund in refunds for t in refund["transactions"]), Decimal(0)
        )
        assert Decimal(str(memo["total"])) == refunded


async def test_a_refund_without_credit_memo_is_reported_as_expected_missing(
    story: tuple[SandboxStore, ScenarioReport, list[ChangeEvent]],
) -> None:
    _, report, _ = story
    unbooked = [d for d in report.drift if d.object_type == "creditMemo"]
    assert unbooked
    for drift in unbooked:
        assert (drift.kind, drift.system, drift.expected) == (
            DriftKind.MISSING,
            System.NETSUITE,
            DiscrepancyKind.MISSING,
        )
        assert drift.entity in report.refunded
        assert drift.record_id is None
