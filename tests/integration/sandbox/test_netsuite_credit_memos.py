"""The sandbox serves NetSuite credit memos: stamped on create, read by id, queried by ``createdFrom``."""

from __future__ import annotations

from services.sandbox.store import SandboxStore
from shared.core.model import System
from tests.integration.sandbox.conftest import Sandbox
from tests.integration.sandbox.platform_clients import NETSUITE_PREFIX, netsuite_request

CREDIT_MEMO = f"{NETSUITE_PREFIX}/creditMemo"


async def _sales_order(store: SandboxStore) -> dict[str, object]:
    fields: dict[str, object] = {
        "entity": {"id": "107"},
        "currency": {"id": "1", "refName": "USD"},
        "total": 50.0,
    }
    return await store.create(System.NETSUITE, "salesOrder", fields, origin="scenario")


def _memo_of(order: dict[str, object], total: float) -> dict[str, object]:
    return {
        "createdFrom": {"id": order["id"], "refName": f"Sales Order #{order['tranId']}"},
        "entity": order["entity"],
        "currency": order["currency"],
        "total": total,
    }


def _query_url(sandbox: Sandbox, q: str) -> str:
    return str(sandbox.client.base_url.join(CREDIT_MEMO).copy_merge_params({"q": q, "limit": 10}))


async def _ids(sandbox: Sandbox, q: str) -> list[str]:
    response = await netsuite_request(sandbox.client, "GET", _query_url(sandbox, q))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_a_posted_credit_memo_is_stamped_and_read_by_id(sandbox: Sandbox) -> None:
    order = await _sales_order(sandbox.parts.store)

    first = await netsuite_request(sandbox.client, "POST", CREDIT_MEMO, json=_memo_of(order, 12.5))
    second = await netsuite_request(sandbox.client, "POST", CREDIT_MEMO, json=_memo_of(order, 3.0))
    read = await netsuite_request(sandbox.client, "GET", first.headers["Location"])
    other = await netsuite_request(sandbox.client, "GET", second.headers["Location"])

    assert (first.status_code, read.status_code) == (204, 200)
    memo = read.json()
    assert memo["links"] == [{"rel": "self", "href": first.headers["Location"]}]
    assert (memo["tranId"], other.json()["tranId"]) == ("CM-1001", "CM-1002")
    assert memo["createdFrom"] == {"id": order["id"], "refName": f"Sales Order #{order['tranId']}"}
    assert (memo["total"], memo["entity"], memo["currency"]) == (12.5, order["entity"], order["currency"])
    assert memo["tranDate"] == "2024-06-10"
    assert memo["lastModifiedDate"] == memo["createdDate"]
    assert memo["lastModifiedDate"].endswith("Z")


async def test_credit_memos_are_queried_by_the_orders_they_were_created_from(sandbox: Sandbox) -> None:
    store = sandbox.parts.store
    orders = [await _sales_order(store) for _ in range(3)]
    memos = [
        await store.create(System.NETSUITE, "creditMemo", _memo_of(order, 5.0), origin="scenario")
        for order in (orders[0], orders[0], orders[1], orders[2])
    ]
    memo_ids = [str(memo["id"]) for memo in memos]
    first, second, third = (str(order["id"]) for order in orders)

    assert await _ids(sandbox, f"createdFrom ANY_OF [{first}, {third}]") == [*memo_ids[:2], memo_ids[3]]
    assert await _ids(sandbox, f"createdFrom ANY_OF [{second}]") == [memo_ids[2]]
    assert await _ids(sandbox, f"createdFrom IS {second}") == [memo_ids[2]]
    assert await _ids(sandbox, f"createdfrom ANY_OF_NOT [{first}]") == memo_ids[2:]
    assert await _ids(sandbox, "createdFrom ANY_OF [1]") == []


async def test_an_unclosed_value_list_is_a_400_naming_q(sandbox: Sandbox) -> None:
    response = await netsuite_request(sandbox.client, "GET", _query_url(sandbox, "createdFrom ANY_OF [1, 2"))

    assert response.status_code == 400
    detail = response.json()["o:errorDetails"][0]
    assert (detail["o:errorCode"], detail["o:errorQueryParam"]) == ("INVALID_PARAMETER", "q")


async def test_an_unknown_credit_memo_is_404(sandbox: Sandbox) -> None:
    response = await netsuite_request(sandbox.client, "GET", f"{CREDIT_MEMO}/7999")

    assert response.status_code == 404
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"
