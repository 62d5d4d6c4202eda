"""HubSpot CRM v3 connector: contacts (customers), products and deals (orders).

Auth: the private-app token as ``Authorization: Bearer``. Limits: the burst window (default
190 per 10 s), the account's daily limit, and CRM search's own 5 per second.

Changes are listed with CRM search on the change-tracking property (``lastmodifieddate`` for
contacts, ``hs_lastmodifieddate`` otherwise), ascending. Search refuses to page past 10,000
results, so before the next page would cross that ceiling the query is re-anchored: a new search
from the latest modification time seen, paging reset; records at that instant are read twice and
the poller dedupes them by id and version.

Provenance: HubSpot has no free note on these objects, so by default the tag stays on Concord's
side (the receipt's ``source_version`` is the ``updatedAt`` the write produced, and HubSpot's
webhooks mark API writes with ``changeSource`` and ``sourceId: appId:<id>``). If the portal has
a text property for it (``HubSpotSettings.provenance_property``), every write also sets it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
from pydantic import TypeAdapter

from shared.adapters.budget import Limit, Priority, WindowLimit
from shared.adapters.metrics import ConnectorMetrics
from shared.adapters.platforms.base import (
    CallBudget,
    ChangeCursor,
    ChangePage,
    WriteReceipt,
    WriteResult,
    unsupported,
)
from shared.adapters.platforms.http import Call, PlatformHttp, parse_as, parse_json
from shared.adapters.platforms.settings import HubSpotSettings
from shared.core.errors import Invalid
from shared.core.model import EntityType, ExternalRef, System
from shared.core.platforms.base import WireObject, WireRecord
from shared.core.platforms.hubspot import (
    HubSpotBatchResponse,
    HubSpotContact,
    HubSpotDeal,
    HubSpotObject,
    HubSpotPage,
    HubSpotProduct,
)
from shared.core.platforms.registry import object_type_for

PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": (
        "email", "firstname", "lastname", "phone", "company", "lifecyclestage",
        "address", "city", "state", "zip", "country", "createdate", "lastmodifieddate",
    ),
    "products": ("name", "price", "hs_sku", "description", "createdate", "hs_lastmodifieddate"),
    "deals": (
        "dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate",
        "createdate", "hs_lastmodifieddate",
    ),
}  # fmt: skip
"""The properties Concord reads per object type (HubSpot returns only defaults unless asked)."""

_RECORDS: dict[str, type[HubSpotObject]] = {
    "contacts": HubSpotContact,
    "products": HubSpotProduct,
    "deals": HubSpotDeal,
}
# Envelopes are checked as a whole; records are then parsed one by one as their own class.
_PAGE: TypeAdapter[HubSpotPage[HubSpotObject]] = TypeAdapter(HubSpotPage[HubSpotObject])
_BATCH: TypeAdapter[HubSpotBatchResponse[HubSpotObject]] = TypeAdapter(HubSpotBatchResponse[HubSpotObject])
_ASSOCIATIONS: dict[str, str] = {"deals": "contacts,line_items"}


def hubspot_limits(settings: HubSpotSettings) -> list[Limit]:
    """The account's limits: burst window, daily (UTC days), and search per second."""
    return [
        WindowLimit("burst", settings.burst_limit, settings.burst_window_seconds, slot=1.0),
        WindowLimit("daily", settings.daily_limit, 86_400.0, slot=86_400.0),
        WindowLimit("search", settings.search_per_second, 1.0, slot=0.25, operation="search"),
    ]


def modified_property(object_type: str) -> str:
    """The change-tracking property of an object type."""
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


def hubspot_error_text(body: object) -> str | None:
    """``category: message`` from a HubSpot error body."""
    if not isinstance(body, dict) or not body.get("message"):
        return None
    category = body.get("category") or body.get("errorType")
    return f"{category}: {body['message']}" if category else str(body["message"])


class HubSpotConnector:
    """One HubSpot account. Implements ``PlatformConnector``."""

    def __init__(
        self,
        settings: HubSpotSettings,
        client: httpx.AsyncClient,
        budget: CallBudget,
        *,
        metrics: ConnectorMetrics | None = None,
    ) -> None:
        self._settings = settings
        self._http = PlatformHttp(
            system=System.HUBSPOT,
            account=str(settings.portal_id),
            client=client,
            base_url=settings.base_url,
            budget=budget,
            policy=settings.http,
            error_text=hubspot_error_text,
            headers={"Authorization": f"Bearer {settings.token.get_secret_value()}"},
            metrics=metrics,
        )

    @property
    def system(self) -> System:
        return System.HUBSPOT

    async def read(
        self, entity_type: EntityType, external_id: str, *, priority: Priority = Priority.BACKGROUND
    ) -> WireRecord:
        object_type = self._object_type(entity_type)
        params = {"properties": ",".join(self._properties(object_type))}
        if object_type in _ASSOCIATIONS:
            params["associations"] = _ASSOCIATIONS[object_type]
        call = Call("GET", f"crm/v3/objects/{object_type}/{external_id}", params=params)
        return self._record(object_type, await self._http.send_json(call, priority))

    async def read_many(
        self,
        entity_type: EntityType,
        external_ids: Sequence[str],
        *,
        priority: Priority = Priority.BACKGROUND,
    ) -> list[WireRecord]:
        object_type = self._object_type(entity_type)
        found: list[WireRecord] = []
        size = self._settings.batch_size
        for start in range(0, len(external_ids), size):
            body: WireObject = {
                "inputs": [{"id": record_id} for record_id in external_ids[start : start + size]],
                "properties": list(self._properties(object_type)),
            }
            call = Call("POST", f"crm/v3/objects/{object_type}/batch/read", body=body)
            data = await self._http.send_json(call, priority)
            parse_as(System.HUBSPOT, _BATCH, data, f"{object_type} batch read")
            found.extend(self._records(object_type, data))
        return found

    async def changed_since(
        self, entity_type: EntityType, cursor: ChangeCursor, *, priority: Priority = Priority.BACKGROUND
    ) -> ChangePage:
        object_type = self._object_type(entity_type)
        path = f"crm/v3/objects/{object_type}/search"
        call = Call("POST", path, body=self._search(object_type, cursor), operation="search")
        data = await self._http.send_json(call, priority)
        page = parse_as(System.HUBSPOT, _PAGE, data, f"{object_type} search")
        records = self._records(object_type, data)
        high_water = max((record.source_updated_at() for record in records), default=None)
        return ChangePage(records, self._next_cursor(cursor, page.next_after(), high_water), high_water)

    async def update(
        self,
        entity_type: EntityType,
        external_id: str,
        body: WireObject,
        *,
        tag: str,
        priority: Priority = Priority.OPERATOR,
    ) -> WriteResult:
        object_type = self._object_type(entity_type)
        call = Call(
            "PATCH",
            f"crm/v3/objects/{object_type}/{external_id}",
            body=self._tagged(body, tag),
            headers={"X-Request-Id": tag},
        )
        return await self._write(object_type, call, tag, priority)

    async def create(
        self, entity_type: EntityType, body: WireObject, *, tag: str, priority: Priority = Priority.OPERATOR
    ) -> WriteResult:
        object_type = self._object_type(entity_type)
        call = Call(
            "POST",
            f"crm/v3/objects/{object_type}",
            body=self._tagged(body, tag),
            headers={"X-Request-Id": tag},
            idempotent=False,
        )
        return await self._write(object_type, call, tag, priority)

    async def _write(self, object_type: str, call: Call, tag: str, priority: Priority) -> WriteResult:
        response = await self._http.send(call, priority)
        record = self._record(object_type, parse_json(System.HUBSPOT, response))
        prop = self._settings.provenance_property
        receipt = WriteReceipt(
            ref=ExternalRef(system=System.HUBSPOT, object_type=object_type, external_id=record.external_id()),
            tag=tag,
            carried_by=f"property:{prop}" if prop else "concord-side",
            request_id=response.headers.get("X-HubSpot-Correlation-Id") or tag,
            source_version=record.source_version(),
            written_at=datetime.now(UTC),
        )
        return WriteResult(record, receipt)

    def _tagged(self, body: WireObject, tag: str) -> WireObject:
        prop = self._settings.provenance_property
        properties = body.get("properties")
        if prop is None:
            return body
        if not isinstance(properties, dict):
            raise Invalid("a HubSpot write body holds its fields in 'properties'")
        return {**body, "properties": {**properties, prop: tag}}

    def _search(self, object_type: str, cursor: ChangeCursor) -> WireObject:
        prop = modified_property(object_type)
        since_ms = str(int(cursor.since.timestamp() * 1000))
        body: WireObject = {
            "filterGroups": [{"filters": [{"propertyName": prop, "operator": "GTE", "value": since_ms}]}],
            "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
            "properties": list(self._properties(object_type)),
            "limit": self._settings.search_page_size,
        }
        if cursor.page is not None:
            body["after"] = cursor.page
        return body

    def _next_cursor(
        self, cursor: ChangeCursor, after: str | None, high_water: datetime | None
    ) -> ChangeCursor | None:
        if after is None:
            return None
        crosses = (
            after.isdigit()
            and int(after) + self._settings.search_page_size > self._settings.search_result_cap
        )
        if not crosses:
            return ChangeCursor(since=cursor.since, page=after)
        if high_water is None or high_water <= cursor.since:
            raise Invalid(
                f"more than {self._settings.search_result_cap} HubSpot records share the modification "
                f"time {cursor.since.isoformat()}; search cannot page past them"
            )
        return ChangeCursor(since=high_water, page=None)

    def _properties(self, object_type: str) -> tuple[str, ...]:
        extra = self._settings.provenance_property
        return PROPERTIES[object_type] + ((extra,) if extra else ())

    def _record(self, object_type: str, data: object) -> HubSpotObject:
        return parse_as(System.HUBSPOT, TypeAdapter(_RECORDS[object_type]), data, object_type)

    def _records(self, object_type: str, data: object) -> tuple[WireRecord, ...]:
        # The envelope was validated already; each result becomes the object type's own record class.
        raw = data.get("results") if isinstance(data, dict) else None
        return tuple(self._record(object_type, item) for item in raw or [])

    def _object_type(self, entity_type: EntityType) -> str:
        object_type = object_type_for(System.HUBSPOT, entity_type)
        if object_type not in _RECORDS:
            raise unsupported(System.HUBSPOT, entity_type)
        return object_type
