"""NetSuite REST record API connector: customers, inventory items (products) and sales orders.

Auth: token-based authentication, OAuth 1.0a signed with HMAC-SHA256 by oauthlib, realm = the
account id. The JSON body is never signed (no ``oauth_body_hash``; NetSuite's examples have none).
Limit: the account's concurrent-request cap, as leases shared across processes.

Changes are listed with a record collection query ``lastModifiedDate ON_OR_AFTER "<date>"``
paged by ``offset``; a collection holds only ids, so each record is then read in full with its
sublists expanded. The date literal has day precision (the user's date format, M/D/YYYY), so a
poll re-reads the day's changes; the poller dedupes by id and version.

Sales orders are returned with ``creditMemos`` attached (the memos created from each order, see
:mod:`shared.adapters.platforms.netsuite_queries`), so refunds reconcile from one record. Extra API
cost, counted against the budget like every call: each ``read``, ``read_many`` or change page of
sales orders makes one more collection query per 200 orders (and per further page of memos),
plus one GET per credit memo found. A new credit memo does not move its order's
``lastModifiedDate``: the first page of a sales-order poll also lists the credit memos modified in the
window and adds their orders (one more query and one GET per such memo), and an order's
``source_updated_at`` is the newest of its own and its memos' modification times.

Writes answer 204 with no body (a create's ``Location`` names the new record), so every write is
followed by a read. Provenance: a custom field per record type when configured
(``NetSuiteSettings.provenance_fields``, e.g. ``custentity_concord_sync``), else Concord-side only.
"""

import asyncio
from collections.abc import Generator, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client  # type: ignore[import-untyped]  # oauthlib ships no type information
from pydantic import TypeAdapter

from shared.adapters.budget import ConcurrencyLimit, Limit, Priority
from shared.adapters.metrics import ConnectorMetrics
from shared.adapters.platforms.base import (
    CallBudget,
    ChangeCursor,
    ChangePage,
    WriteReceipt,
    WriteResult,
    unsupported,
)
from shared.adapters.platforms.http import Call, PlatformHttp, parse_as
from shared.adapters.platforms.netsuite_queries import (
    collection_page,
    orders_with_memos_changed,
    with_credit_memos,
)
from shared.adapters.platforms.settings import NetSuiteSettings
from shared.core.errors import MalformedResponse, NotFound, PlatformError, RateLimited
from shared.core.model import EntityType, ExternalRef, System
from shared.core.platforms.base import WireObject, WireRecord
from shared.core.platforms.netsuite import (
    NetSuiteCustomer,
    NetSuiteInventoryItem,
    NetSuiteRecord,
    NetSuiteSalesOrder,
)
from shared.core.platforms.registry import object_type_for

_RECORDS: dict[str, type[NetSuiteRecord]] = {
    "customer": NetSuiteCustomer,
    "inventoryItem": NetSuiteInventoryItem,
    "salesOrder": NetSuiteSalesOrder,
}
# Sublists a PATCH must replace rather than append to.
_REPLACED_SUBLISTS = ("addressBook", "item")
_RATE_CODES = ("SSS_REQUEST_LIMIT_EXCEEDED", "CONCURRENCY_LIMIT_EXCEEDED")
_LEASE_MARGIN_SECONDS = 5.0


class NetSuiteAuth(httpx.Auth):
    """Signs each request with OAuth 1.0a TBA (HMAC-SHA256) through oauthlib.

    ``nonce`` and ``timestamp`` are fixed only to check published test vectors.
    """

    def __init__(
        self, settings: NetSuiteSettings, *, nonce: str | None = None, timestamp: str | None = None
    ) -> None:
        self._settings = settings
        self._nonce = nonce
        self._timestamp = timestamp

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.authorization(request.method, str(request.url))
        yield request

    def authorization(self, method: str, url: str) -> str:
        """The ``Authorization`` header for ``method url`` (query parameters are signed, the body is not)."""
        client = Client(
            self._settings.consumer_key.get_secret_value(),
            client_secret=self._settings.consumer_secret.get_secret_value(),
            resource_owner_key=self._settings.token_id.get_secret_value(),
            resource_owner_secret=self._settings.token_secret.get_secret_value(),
            signature_method=SIGNATURE_HMAC_SHA256,
            realm=self._settings.realm,
            nonce=self._nonce,
            timestamp=self._timestamp,
        )
        _, headers, _ = client.sign(url, http_method=method)
        return str(headers["Authorization"])


def netsuite_limits(settings: NetSuiteSettings) -> list[Limit]:
    """The account's concurrency cap; a lease outlives the longest request by a margin."""
    lease = settings.http.request_seconds + _LEASE_MARGIN_SECONDS
    return [ConcurrencyLimit("concurrency", settings.concurrency, lease)]


def netsuite_error_text(body: object) -> str | None:
    """``code: detail`` for each of ``o:errorDetails``, else the ``title``."""
    if not isinstance(body, dict):
        return None
    details = body.get("o:errorDetails")
    if isinstance(details, list) and details:
        return "; ".join(
            f"{item.get('o:errorCode', 'ERROR')}: {item.get('detail', '')}"
            for item in details
            if isinstance(item, dict)
        )
    title = body.get("title")
    return None if title is None else str(title)


def _classify(status: int, details: str | None) -> type[PlatformError] | None:
    # RESTlets and some REST paths report the concurrency limit as a 400 with a code.
    if status == 400 and details and any(code in details for code in _RATE_CODES):
        return RateLimited
    return None


def date_literal(moment: datetime, zone: str = "UTC") -> str:
    """A query date-time literal in the default user formats, ``M/D/YYYY h:mm am``, in the user's
    time zone. To the minute (the literal covers its whole minute): a date alone would make every
    poll re-read everything changed since midnight."""
    local = moment.astimezone(ZoneInfo(zone))
    hour = local.hour % 12 or 12
    half = "am" if local.hour < 12 else "pm"
    return f"{local.month}/{local.day}/{local.year} {hour}:{local.minute:02d} {half}"


class NetSuiteConnector:
    """One NetSuite account. Implements ``PlatformConnector``."""

    def __init__(
        self,
        settings: NetSuiteSettings,
        client: httpx.AsyncClient,
        budget: CallBudget,
        *,
        metrics: ConnectorMetrics | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self._settings = settings
        self._http = PlatformHttp(
            system=System.NETSUITE,
            account=settings.account_id,
            client=client,
            base_url=settings.rest_root,
            budget=budget,
            policy=settings.http,
            error_text=netsuite_error_text,
            auth=auth or NetSuiteAuth(settings),
            classify=_classify,
            metrics=metrics,
        )

    @property
    def system(self) -> System:
        return System.NETSUITE

    async def read(
        self, entity_type: EntityType, external_id: str, *, priority: Priority = Priority.BACKGROUND
    ) -> WireRecord:
        record_type = self._record_type(entity_type)
        data = await self._fetch(record_type, external_id, priority)
        return self._parsed(record_type, await self._completed(record_type, [data], priority))[0]

    async def read_many(
        self,
        entity_type: EntityType,
        external_ids: Sequence[str],
        *,
        priority: Priority = Priority.BACKGROUND,
    ) -> list[WireRecord]:
        # No batch read in the REST record API; the concurrency budget bounds the parallelism.
        record_type = self._record_type(entity_type)
        fetched = await asyncio.gather(
            *(self._fetch_if_present(record_type, record_id, priority) for record_id in external_ids)
        )
        present = [data for data in fetched if data is not None]
        return self._parsed(record_type, await self._completed(record_type, present, priority))

    async def changed_since(
        self, entity_type: EntityType, cursor: ChangeCursor, *, priority: Priority = Priority.BACKGROUND
    ) -> ChangePage:
        record_type = self._record_type(entity_type)
        offset = int(cursor.page or "0")
        since = date_literal(cursor.since, self._settings.user_time_zone)
        params = {
            "q": f'lastModifiedDate ON_OR_AFTER "{since}"',
            "limit": str(self._settings.page_size),
            "offset": str(offset),
        }
        data = await self._http.send_json(Call("GET", f"record/v1/{record_type}", params=params), priority)
        ids, has_more = collection_page(data, record_type)
        wanted = ids
        if record_type == "salesOrder" and offset == 0:
            memo_orders = await orders_with_memos_changed(
                self._http, since, page_size=self._settings.page_size, priority=priority
            )
            wanted = list(dict.fromkeys([*ids, *memo_orders]))
        records = tuple(await self.read_many(entity_type, wanted, priority=priority))
        high_water = max((record.source_updated_at() for record in records), default=None)
        next_cursor = (
            ChangeCursor(since=cursor.since, page=str(offset + len(ids))) if has_more and ids else None
        )
        return ChangePage(records, next_cursor, high_water)

    async def update(
        self,
        entity_type: EntityType,
        external_id: str,
        body: WireObject,
        *,
        tag: str,
        priority: Priority = Priority.OPERATOR,
    ) -> WriteResult:
        record_type = self._record_type(entity_type)
        replace = [name for name in _REPLACED_SUBLISTS if name in body]
        call = Call(
            "PATCH",
            f"record/v1/{record_type}/{external_id}",
            params={"replace": ",".join(replace)} if replace else {},
            body=self._tagged(record_type, body, tag),
            headers={"X-Request-Id": tag},
        )
        await self._http.send(call, priority)
        return await self._read_back(entity_type, external_id, tag, priority)

    async def create(
        self, entity_type: EntityType, body: WireObject, *, tag: str, priority: Priority = Priority.OPERATOR
    ) -> WriteResult:
        record_type = self._record_type(entity_type)
        call = Call(
            "POST",
            f"record/v1/{record_type}",
            body=self._tagged(record_type, body, tag),
            headers={"X-Request-Id": tag},
            idempotent=False,
        )
        response = await self._http.send(call, priority)
        location = response.headers.get("Location", "")
        new_id = location.rstrip("/").rsplit("/", 1)[-1]
        if not location or not new_id:
            raise MalformedResponse(f"netsuite created a {record_type} without a Location", details=location)
        return await self._read_back(entity_type, new_id, tag, priority)

    async def _read_back(
        self, entity_type: EntityType, record_id: str, tag: str, priority: Priority
    ) -> WriteResult:
        record = await self.read(entity_type, record_id, priority=priority)
        record_type = self._record_type(entity_type)
        field = self._settings.provenance_fields.get(record_type)
        receipt = WriteReceipt(
            ref=ExternalRef(
                system=System.NETSUITE, object_type=record_type, external_id=record.external_id()
            ),
            tag=tag,
            carried_by=f"field:{field}" if field else "concord-side",
            request_id=tag,
            source_version=record.source_version(),
            written_at=datetime.now(UTC),
        )
        return WriteResult(record, receipt)

    async def _fetch(self, record_type: str, record_id: str, priority: Priority) -> object:
        call = Call("GET", f"record/v1/{record_type}/{record_id}", params={"expandSubResources": "true"})
        return await self._http.send_json(call, priority)

    async def _fetch_if_present(self, record_type: str, record_id: str, priority: Priority) -> object | None:
        try:
            return await self._fetch(record_type, record_id, priority)
        except NotFound:
            return None  # deleted between the listing and the read

    async def _completed(self, record_type: str, records: list[object], priority: Priority) -> list[object]:
        """``records`` with what Concord attaches to them: credit memos on sales orders."""
        if record_type != "salesOrder" or not records:
            return records
        page_size = self._settings.page_size
        return await with_credit_memos(self._http, records, page_size=page_size, priority=priority)

    @staticmethod
    def _parsed(record_type: str, records: list[object]) -> list[WireRecord]:
        adapter = TypeAdapter(_RECORDS[record_type])
        return [parse_as(System.NETSUITE, adapter, data, record_type) for data in records]

    def _tagged(self, record_type: str, body: WireObject, tag: str) -> WireObject:
        field = self._settings.provenance_fields.get(record_type)
        return {**body, field: tag} if field else body

    @staticmethod
    def _record_type(entity_type: EntityType) -> str:
        record_type = object_type_for(System.NETSUITE, entity_type)
        if record_type not in _RECORDS:
            raise unsupported(System.NETSUITE, entity_type)
        return record_type
