"""NetSuite connector over recorded responses: signed requests, collection paging, 204 writes, credit memos."""

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from pydantic import ValidationError

from shared.adapters.budget import UnlimitedBudget
from shared.adapters.platforms.base import ChangeCursor
from shared.adapters.platforms.netsuite import NetSuiteConnector, date_literal
from shared.adapters.platforms.netsuite_queries import MEMO_QUERY_IDS
from shared.adapters.platforms.settings import NetSuiteSettings
from shared.core.errors import Invalid, MalformedResponse, RateLimited
from shared.core.model import EntityType
from shared.core.platforms.base import WireObject
from shared.core.platforms.netsuite import NetSuiteCustomer, NetSuiteSalesOrder
from tests.unit.adapters.platforms.support import Recorder, netsuite_settings, recorded, reply

SINCE = datetime(2024, 6, 10, 15, tzinfo=UTC)
ROOT = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest"


def _connector(recorder: Recorder, **settings: object) -> NetSuiteConnector:
    return NetSuiteConnector(netsuite_settings(**settings), recorder.client(), UnlimitedBudget())


def _customer(record_id: str) -> dict[str, object]:
    customer = recorded("netsuite.customer.107.json")
    assert isinstance(customer, dict)
    return {**customer, "id": record_id}


async def test_read_is_signed_with_tba_and_expands_sublists() -> None:
    recorder = Recorder(reply(200, recorded("netsuite.customer.107.json")))
    record = await _connector(recorder).read(EntityType.CUSTOMER, "107")
    request = recorder.requests[0]
    assert str(request.url) == f"{ROOT}/record/v1/customer/107?expandSubResources=true"
    assert request.headers["Authorization"].startswith('OAuth realm="1234567_SB1"')
    assert 'oauth_signature_method="HMAC-SHA256"' in request.headers["Authorization"]
    assert isinstance(record, NetSuiteCustomer)


async def test_changes_page_by_offset_and_read_each_record() -> None:
    recorder = Recorder(
        reply(200, recorded("netsuite.collection.customer.page1.json")),
        *(reply(200, _customer(record_id)) for record_id in ("107", "108")),
        reply(200, recorded("netsuite.collection.customer.page2.json")),
        reply(200, _customer("109")),
    )
    connector = _connector(recorder, page_size=2)
    first = await connector.changed_since(EntityType.CUSTOMER, ChangeCursor(since=SINCE))
    params = recorder.requests[0].url.params
    assert params["q"] == 'lastModifiedDate ON_OR_AFTER "6/10/2024 3:00 pm"'
    assert (params["limit"], params["offset"]) == ("2", "0")
    assert sorted(record.external_id() for record in first.records) == ["107", "108"]
    assert first.next_cursor == ChangeCursor(since=SINCE, page="2")
    last = await connector.changed_since(EntityType.CUSTOMER, first.next_cursor)
    assert recorder.requests[3].url.params["offset"] == "2"
    assert [record.external_id() for record in last.records] == ["109"]
    assert last.next_cursor is None


async def test_a_collection_without_items_is_malformed() -> None:
    with pytest.raises(MalformedResponse):
        await _connector(Recorder(reply(200, {"count": 0}))).changed_since(
            EntityType.CUSTOMER, ChangeCursor(since=SINCE)
        )


async def test_update_patches_replacing_sublists_then_reads_back() -> None:
    recorder = Recorder(reply(204), reply(200, recorded("netsuite.customer.107.json")))
    body: WireObject = {"email": "jane@acme.example", "addressBook": {"items": []}}
    result = await _connector(recorder, provenance_fields={"customer": "custentity_concord_sync"}).update(
        EntityType.CUSTOMER, "107", body, tag="concord-t"
    )
    patch = recorder.requests[0]
    assert patch.method == "PATCH"
    assert patch.url.params["replace"] == "addressBook"
    assert recorder.body(0) == {**body, "custentity_concord_sync": "concord-t"}
    assert result.receipt.carried_by == "field:custentity_concord_sync"
    assert result.receipt.ref.key == "netsuite:customer:107"


async def test_create_reads_the_new_record_named_by_location() -> None:
    location = f"{ROOT}/record/v1/customer/108"
    recorder = Recorder(reply(204, headers={"Location": location}), reply(200, _customer("108")))
    result = await _connector(recorder).create(EntityType.CUSTOMER, {"companyName": "Acme"}, tag="t")
    assert recorder.requests[1].url.path.endswith("/customer/108")
    assert result.record.external_id() == "108"


async def test_create_without_location_is_malformed() -> None:
    with pytest.raises(MalformedResponse):
        await _connector(Recorder(reply(204))).create(EntityType.CUSTOMER, {"companyName": "Acme"}, tag="t")


async def test_a_400_naming_the_request_limit_is_rate_limited() -> None:
    body = {
        "status": 400,
        "o:errorDetails": [{"detail": "too many", "o:errorCode": "SSS_REQUEST_LIMIT_EXCEEDED"}],
    }
    recorder = Recorder(*(reply(400, body) for _ in range(3)))
    with pytest.raises(RateLimited):
        await _connector(recorder).read(EntityType.CUSTOMER, "1")
    assert len(recorder.requests) == 3


async def test_an_invalid_field_is_invalid_with_netsuites_detail() -> None:
    recorder = Recorder(reply(400, recorded("netsuite.error.400.json")))
    with pytest.raises(Invalid) as raised:
        await _connector(recorder).update(EntityType.CUSTOMER, "107", {"email": "x"}, tag="t")
    assert raised.value.details is not None
    assert raised.value.details.startswith("INVALID_PARAMETER")


# --- credit memos attached to sales orders ---------------------------------------------------------


def _sales_order(record_id: str) -> dict[str, object]:
    order = recorded("netsuite.salesOrder.4321.json")
    assert isinstance(order, dict)
    return {key: value for key, value in order.items() if key != "creditMemos"} | {"id": record_id}


def _memo(memo_id: str, order_id: str, total: float) -> dict[str, object]:
    return {
        "id": memo_id,
        "tranId": f"CM-{memo_id}",
        "createdFrom": {"id": order_id, "refName": f"Sales Order #SO{order_id}"},
        "total": total,
    }


def _memo_collection(ids: list[str], *, has_more: bool = False) -> dict[str, object]:
    return {"items": [{"id": memo_id, "links": []} for memo_id in ids], "hasMore": has_more}


class NetSuiteRoutes:
    """Answers sales order and credit memo GETs by path (order-independent, as reads run concurrently)."""

    def __init__(self, memos: dict[str, dict[str, object]], pages: list[dict[str, object]]) -> None:
        self.memos = memos
        self.pages = pages
        self.memo_queries: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        kind, _, record_id = request.url.path.split("/record/v1/")[1].partition("/")
        if kind == "creditMemo" and not record_id:
            self.memo_queries.append(request)
            return reply(200, self.pages.pop(0))
        if kind == "creditMemo":
            return reply(200, self.memos[record_id]) if record_id in self.memos else reply(404, {})
        return reply(200, _sales_order(record_id))


def _routed(routes: NetSuiteRoutes, **settings: object) -> NetSuiteConnector:
    client = httpx.AsyncClient(transport=httpx.MockTransport(routes))
    return NetSuiteConnector(netsuite_settings(**settings), client, UnlimitedBudget())


async def test_a_read_sales_order_carries_the_credit_memos_created_from_it() -> None:
    routes = NetSuiteRoutes({"7001": _memo("7001", "4321", 10.0)}, [_memo_collection(["7001"])])
    record = await _routed(routes).read(EntityType.ORDER, "4321")
    assert routes.memo_queries[0].url.params["q"] == "createdFrom ANY_OF [4321]"
    assert isinstance(record, NetSuiteSalesOrder)
    assert record.credit_memos is not None
    assert [(memo.id, memo.total, memo.tran_id) for memo in record.credit_memos] == [
        ("7001", Decimal("10.0"), "CM-7001")
    ]


async def test_a_batch_read_makes_one_memo_query_for_all_orders() -> None:
    memos = {"7001": _memo("7001", "4001", 5.0), "7002": _memo("7002", "4001", 2.5)}
    memos["7003"] = _memo("7003", "4003", 1.0)
    routes = NetSuiteRoutes(memos, [_memo_collection(["7001", "7002", "7003"])])
    records = await _routed(routes).read_many(EntityType.ORDER, ["4001", "4002", "4003"])
    assert len(routes.memo_queries) == 1
    assert routes.memo_queries[0].url.params["q"] == "createdFrom ANY_OF [4001, 4002, 4003]"
    totals = {
        record.external_id(): [memo.total for memo in record.credit_memos or []]
        for record in records
        if isinstance(record, NetSuiteSalesOrder)
    }
    assert totals == {"4001": [Decimal("5.0"), Decimal("2.5")], "4002": [], "4003": [Decimal("1.0")]}


async def test_memo_query_pages_are_followed_and_a_memo_deleted_meanwhile_is_skipped() -> None:
    routes = NetSuiteRoutes(
        {"7001": _memo("7001", "4001", 5.0)},
        [_memo_collection(["7001"], has_more=True), _memo_collection(["7002"])],
    )
    [record] = await _routed(routes, page_size=1).read_many(EntityType.ORDER, ["4001"])
    assert [request.url.params["offset"] for request in routes.memo_queries] == ["0", "1"]
    assert routes.memo_queries[0].url.params["limit"] == "1"
    assert isinstance(record, NetSuiteSalesOrder)
    assert [memo.id for memo in record.credit_memos or []] == ["7001"]


async def test_memo_queries_are_batched_by_two_hundred_orders() -> None:
    routes = NetSuiteRoutes({}, [_memo_collection([]), _memo_collection([])])
    ids = [str(4000 + n) for n in range(MEMO_QUERY_IDS + 1)]
    records = await _routed(routes).read_many(EntityType.ORDER, ids)
    assert [request.url.params["q"].count(",") + 1 for request in routes.memo_queries] == [MEMO_QUERY_IDS, 1]
    assert all(isinstance(r, NetSuiteSalesOrder) and r.credit_memos == [] for r in records)


async def test_customers_are_read_without_memo_queries() -> None:
    recorder = Recorder(reply(200, recorded("netsuite.customer.107.json")))
    await _connector(recorder).read_many(EntityType.CUSTOMER, ["107"])
    assert [request.url.path.rsplit("/", 2)[-2] for request in recorder.requests] == ["customer"]


async def test_a_poll_lists_an_order_whose_credit_memo_changed_though_the_order_did_not() -> None:
    """A new credit memo leaves its order's lastModifiedDate alone: the poll's first page asks for the
    memos changed in the window and reads their orders, each as new as its newest memo."""
    memo = _memo("7001", "4321", 10.0) | {"lastModifiedDate": "2030-01-02T03:04:05Z"}
    memo_queries: list[str] = []

    def routes(request: httpx.Request) -> httpx.Response:
        kind, _, record_id = request.url.path.split("/record/v1/")[1].partition("/")
        if kind == "salesOrder" and not record_id:
            return reply(200, {"items": [], "hasMore": False})  # no order itself changed
        if kind == "creditMemo" and not record_id:
            memo_queries.append(request.url.params["q"])
            return reply(200, _memo_collection(["7001"]))
        return reply(200, memo if kind == "creditMemo" else _sales_order(record_id))

    connector = NetSuiteConnector(
        netsuite_settings(), httpx.AsyncClient(transport=httpx.MockTransport(routes)), UnlimitedBudget()
    )
    page = await connector.changed_since(
        EntityType.ORDER, ChangeCursor(since=datetime(2030, 1, 1, tzinfo=UTC))
    )

    assert memo_queries == ['lastModifiedDate ON_OR_AFTER "1/1/2030 12:00 am"', "createdFrom ANY_OF [4321]"]
    [order] = page.records
    assert isinstance(order, NetSuiteSalesOrder)
    assert [m.total for m in order.credit_memos or []] == [Decimal("10.0")]
    assert order.source_updated_at() == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC) > order.last_modified_date
    assert page.next_cursor is None


def test_a_change_query_names_the_minute_in_the_users_time_zone() -> None:
    moment = datetime(2024, 6, 10, 3, 7, 59, tzinfo=UTC)
    assert date_literal(moment) == "6/10/2024 3:07 am"
    assert date_literal(moment, "America/Los_Angeles") == "6/9/2024 8:07 pm"
    assert date_literal(datetime(2024, 6, 10, 12, 0, tzinfo=UTC)) == "6/10/2024 12:00 pm"


def test_an_unknown_user_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        NetSuiteSettings.model_validate(
            {**netsuite_settings().model_dump(), "user_time_zone": "Mars/Olympus"}
        )
