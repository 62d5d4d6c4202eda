"""NetSuite record collection queries, and the credit memos Concord attaches to sales orders.

A record collection (``GET record/v1/{type}?q=...&limit=...&offset=...``) answers ids and links
only. NetSuite does not return a sales order's credit memos with it, so they are looked up per
batch of orders: one collection query ``createdFrom ANY_OF [id, ...]`` for up to
:data:`MEMO_QUERY_IDS` orders (one more per further page of memos), then one GET per credit memo
found, because the collection holds no totals. Every call goes through the connector's
:class:`PlatformHttp`, so it takes the account's budget like any other call.
"""

import asyncio
from collections.abc import Sequence

from pydantic import AwareDatetime, Field, TypeAdapter

from shared.adapters.budget import Priority
from shared.adapters.platforms.http import Call, PlatformHttp, parse_as
from shared.core.errors import MalformedResponse, NotFound
from shared.core.model import System
from shared.core.platforms.base import WireModel
from shared.core.platforms.netsuite import NetSuiteAmount, NetSuiteId, NetSuiteRef

CREDIT_MEMO = "creditMemo"
MEMO_QUERY_IDS = 200
"""Sales order ids per ``createdFrom ANY_OF`` query: keeps the signed URL well under common limits."""


class NetSuiteCreditMemo(WireModel):
    """The fields of a ``creditMemo`` record Concord reads: which order it came from, and its total."""

    id: NetSuiteId
    tran_id: str | None = Field(default=None, alias="tranId")
    total: NetSuiteAmount
    created_from: NetSuiteRef = Field(alias="createdFrom")
    last_modified_date: AwareDatetime | None = Field(default=None, alias="lastModifiedDate")


def collection_page(data: object, record_type: str) -> tuple[list[str], bool]:
    """The ids and ``hasMore`` of a record collection page; ``MalformedResponse`` if it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise MalformedResponse(f"netsuite {record_type} collection has no items", details=str(data)[:500])
    ids = [str(item["id"]) for item in data["items"] if isinstance(item, dict) and "id" in item]
    if len(ids) != len(data["items"]):
        raise MalformedResponse(
            f"netsuite {record_type} collection item without an id", details=str(data)[:500]
        )
    return ids, bool(data.get("hasMore", False))


async def query_ids(
    http: PlatformHttp, record_type: str, q: str, *, page_size: int, priority: Priority
) -> list[str]:
    """The ids of every ``record_type`` record matching ``q``, following ``offset`` to the last page."""
    ids: list[str] = []
    more = True
    while more:
        params = {"q": q, "limit": str(page_size), "offset": str(len(ids))}
        data = await http.send_json(Call("GET", f"record/v1/{record_type}", params=params), priority)
        page, has_more = collection_page(data, record_type)
        ids += page
        more = has_more and bool(page)
    return ids


async def with_credit_memos(
    http: PlatformHttp, orders: Sequence[object], *, page_size: int, priority: Priority
) -> list[object]:
    """``orders`` (sales order JSON objects) each with ``creditMemos``: ``[{id, tranId, total}]`` of
    the credit memos created from it, ``[]`` when there are none. Anything that is not a JSON
    object with a numeric ``id`` is passed through unchanged (parsing it fails later)."""
    order_ids = [
        str(order["id"]) for order in orders if isinstance(order, dict) and str(order.get("id", "")).isdigit()
    ]
    queried = set(order_ids)
    memo_ids: list[str] = []
    for start in range(0, len(order_ids), MEMO_QUERY_IDS):
        batch = ", ".join(order_ids[start : start + MEMO_QUERY_IDS])
        q = f"createdFrom ANY_OF [{batch}]"
        memo_ids += await query_ids(http, CREDIT_MEMO, q, page_size=page_size, priority=priority)
    memos = await asyncio.gather(
        *(_read_memo(http, memo_id, priority) for memo_id in dict.fromkeys(memo_ids))
    )
    by_order: dict[str, list[dict[str, object]]] = {}
    for memo in memos:
        if memo is not None and memo.created_from.id is not None:
            entry: dict[str, object] = {
                "id": memo.id, "tranId": memo.tran_id, "total": memo.total,
                "lastModifiedDate": memo.last_modified_date.isoformat() if memo.last_modified_date else None,
            }  # fmt: skip
            by_order.setdefault(memo.created_from.id, []).append(entry)
    return [
        {**order, "creditMemos": by_order.get(str(order["id"]), [])}
        if isinstance(order, dict) and str(order.get("id")) in queried
        else order
        for order in orders
    ]


async def orders_with_memos_changed(
    http: PlatformHttp, date_literal: str, *, page_size: int, priority: Priority
) -> list[str]:
    """The sales orders whose credit memos were created or changed on or after ``date_literal``: a
    new memo leaves its order's ``lastModifiedDate`` alone, so a poll of orders alone misses it."""
    q = f'lastModifiedDate ON_OR_AFTER "{date_literal}"'
    memo_ids = await query_ids(http, CREDIT_MEMO, q, page_size=page_size, priority=priority)
    memos = await asyncio.gather(*(_read_memo(http, memo_id, priority) for memo_id in memo_ids))
    orders = [memo.created_from.id for memo in memos if memo is not None and memo.created_from.id is not None]
    return list(dict.fromkeys(orders))


async def _read_memo(http: PlatformHttp, memo_id: str, priority: Priority) -> NetSuiteCreditMemo | None:
    try:
        data = await http.send_json(Call("GET", f"record/v1/{CREDIT_MEMO}/{memo_id}"), priority)
    except NotFound:
        return None  # deleted between the query and the read
    return parse_as(System.NETSUITE, TypeAdapter(NetSuiteCreditMemo), data, CREDIT_MEMO)
