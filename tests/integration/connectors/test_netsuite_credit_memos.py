"""NetSuite sales orders read from the sandbox carry their credit memos, so they map to a refunded total."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx

from shared.adapters.budget import UnlimitedBudget
from shared.adapters.platforms.base import iterate_changes, new_tag
from shared.adapters.platforms.netsuite import NetSuiteAuth, NetSuiteConnector
from shared.adapters.platforms.settings import HttpPolicy, NetSuiteSettings
from shared.core.mapping import MappingContext, mapping_for
from shared.core.model import EntityType, Money, Order, System
from shared.core.platforms.base import WireObject, WireRecord
from tests.integration.connectors.conftest import Sandbox

CTX = MappingContext(default_phone_region="US", default_currency="USD")


def _settings(sandbox: Sandbox) -> NetSuiteSettings:
    s = sandbox.settings
    return NetSuiteSettings(
        account_id="1234567_SB1",
        base_url=sandbox.base_url,
        consumer_key=s.netsuite_consumer_key,  # type: ignore[attr-defined]
        consumer_secret=s.netsuite_consumer_secret,  # type: ignore[attr-defined]
        token_id=s.netsuite_token_id,  # type: ignore[attr-defined]
        token_secret=s.netsuite_token_secret,  # type: ignore[attr-defined]
        page_size=2,
        http=HttpPolicy(read_timeout=10.0, max_attempts=2, backoff_initial=0.05, backoff_max=0.2),
    )


async def _order(connector: NetSuiteConnector, number: int) -> str:
    body: WireObject = {
        "otherRefNum": f"#{2000 + number}",
        "email": f"o{number}@concord.example",
        "currency": {"id": "1", "refName": "USD"},
        "total": Decimal("80.00"),
    }
    created = await connector.create(EntityType.ORDER, body, tag=new_tag())
    return created.record.external_id()


async def _credit_memo(sandbox: Sandbox, http: httpx.AsyncClient, order_id: str, total: str) -> None:
    """Book a credit memo in NetSuite from the order, as an accountant (or a SuiteScript) would."""
    memo = {"createdFrom": {"id": order_id}, "currency": {"id": "1", "refName": "USD"}, "total": float(total)}
    url = f"{sandbox.base_url}/services/rest/record/v1/creditMemo"
    response = await http.post(url, json=memo, auth=NetSuiteAuth(_settings(sandbox)))
    assert response.status_code == 204, response.text


def _refunded(record: WireRecord) -> Money | None:
    view = mapping_for(System.NETSUITE, EntityType.ORDER).to_canonical(record, CTX)
    assert isinstance(view, Order)
    return view.refunded_total


async def test_a_read_sales_order_maps_to_the_total_of_its_credit_memos(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    connector = NetSuiteConnector(_settings(sandbox), http, UnlimitedBudget())
    refunded, untouched = await _order(connector, 1), await _order(connector, 2)
    await _credit_memo(sandbox, http, refunded, "12.50")
    await _credit_memo(sandbox, http, refunded, "7.25")

    read = await connector.read(EntityType.ORDER, refunded)
    many = {
        record.external_id(): record
        for record in await connector.read_many(EntityType.ORDER, [refunded, untouched])
    }

    assert _refunded(read) == Money(amount=Decimal("19.75"), currency="USD")
    assert _refunded(many[refunded]) == Money(amount=Decimal("19.75"), currency="USD")
    assert _refunded(many[untouched]) == Money(amount=Decimal("0"), currency="USD")


async def test_changed_sales_orders_carry_credit_memos_on_every_page(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    connector = NetSuiteConnector(_settings(sandbox), http, UnlimitedBudget())
    ids = [await _order(connector, number) for number in range(10, 15)]
    for order_id in ids[::2]:
        await _credit_memo(sandbox, http, order_id, "5.00")

    since = datetime.now(UTC) - timedelta(seconds=5)
    pages = [page async for page in iterate_changes(connector, EntityType.ORDER, since)]
    listed = {record.external_id(): record for page in pages for record in page.records}

    five, zero = Money(amount=Decimal("5.00"), currency="USD"), Money(amount=Decimal("0"), currency="USD")
    assert len(pages) >= 3
    assert {order_id: _refunded(listed[order_id]) for order_id in ids} == {
        order_id: five if index % 2 == 0 else zero for index, order_id in enumerate(ids)
    }
