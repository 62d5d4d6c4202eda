"""NetSuite REST record API imitation (PLATFORMS.md 3.2-3.6): customer, inventoryItem, salesOrder, creditMemo.

``/services/rest/record/v1/{type}``: collection query (``q``, ``limit`` <= 1000, ``offset``) that
returns ids and links, POST create (204 + ``Location``); ``/{type}/{id}`` (or ``eid:<externalId>``):
GET (sublists as links unless ``expandSubResources=true``), PATCH (204), DELETE (204);
``/{type}/{id}/{sublist}``: the expanded sublist. Every request needs a valid OAuth 1.0a TBA
signature, and at most ``netsuite_concurrency`` requests may be in flight at once.
"""

import json
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.sandbox import netsuite_query
from services.sandbox.faults import FaultInjector
from services.sandbox.netsuite_auth import TokenVerifier
from services.sandbox.platform_errors import (
    NETSUITE_CONCURRENCY,
    NETSUITE_INVALID_LOGIN,
    Rejection,
    json_response,
    netsuite_error,
)
from services.sandbox.ratelimit import ConcurrencyGate
from services.sandbox.stamping import OBJECT_TYPES
from services.sandbox.store import SandboxStore
from shared.core.model import System

Handler = Callable[[Request], Awaitable[Response]]
RECORD_PATH = "/services/rest/record/v1"
MAX_LIMIT = 1000
_READ_ONLY = frozenset({"id", "links", "lastModifiedDate", "dateCreated", "createdDate"})


class NetSuiteApi:
    """The NetSuite REST record routes over the sandbox store."""

    def __init__(
        self, store: SandboxStore, *, verifier: TokenVerifier, gate: ConcurrencyGate, faults: FaultInjector
    ) -> None:
        self._store = store
        self._verifier = verifier
        self._gate = gate
        self._faults = faults

    def routes(self) -> list[BaseRoute]:
        """Starlette routes of the record API (and SuiteQL, see ``netsuite_suiteql``)."""
        one = f"{RECORD_PATH}/{{object_type}}/{{record_id}}"
        return [
            Route(f"{RECORD_PATH}/{{object_type}}", self.guard(self.collection), methods=["GET"]),
            Route(f"{RECORD_PATH}/{{object_type}}", self.guard(self.create), methods=["POST"]),
            Route(one, self.guard(self.get_one), methods=["GET"]),
            Route(one, self.guard(self.patch), methods=["PATCH"]),
            Route(one, self.guard(self.delete), methods=["DELETE"]),
            Route(f"{one}/{{sublist}}", self.guard(self.get_sublist), methods=["GET"]),
        ]

    def guard(self, handler: Handler) -> Handler:
        """Wrap ``handler`` with TBA verification, the concurrency cap and injected latency."""

        async def guarded(request: Request) -> Response:
            problem = self._verifier.problem(
                request.method, str(request.url), request.url.query, request.headers.get("authorization")
            )
            if problem is not None:
                return netsuite_error(401, "INVALID_LOGIN", NETSUITE_INVALID_LOGIN)
            if not self._gate.try_enter():
                return netsuite_error(429, "CONCURRENCY_LIMIT_EXCEEDED", NETSUITE_CONCURRENCY)
            try:
                await self._faults.delay(System.NETSUITE)
                return await handler(request)
            except Rejection as rejection:
                return rejection.response
            finally:
                self._gate.leave()

        return guarded

    async def get_one(self, request: Request) -> Response:
        """GET one record with its self link; sublists are links unless expanded."""
        object_type, record = await self._find(request)
        expand = request.query_params.get("expandSubResources", "").lower() == "true"
        fields = request.query_params.get("fields")
        shown = present(record, object_type, str(request.base_url), expand=expand)
        if fields:
            wanted = {name.strip().lower() for name in fields.split(",")} | {"links", "id"}
            shown = {name: value for name, value in shown.items() if name.lower() in wanted}
        return json_response(shown)

    async def get_sublist(self, request: Request) -> Response:
        """GET a sublist (``item``, ``addressBook``...) of a record, expanded."""
        object_type, record = await self._find(request)
        name = str(request.path_params["sublist"])
        sublist = record.get(name)
        if not isinstance(sublist, dict):
            raise Rejection(netsuite_error(404, "NONEXISTENT_ID", f"The sub-resource {name} does not exist."))
        href = f"{_record_href(str(request.base_url), object_type, str(record['id']))}/{name}"
        return json_response({"links": [{"rel": "self", "href": href}], **sublist})

    async def collection(self, request: Request) -> Response:
        """GET ids and links of the records matching ``q``, ``limit`` per page from ``offset``."""
        object_type = _object_type(request)
        q = request.query_params.get("q")
        limit = _query_int(request, "limit", MAX_LIMIT)
        offset = _query_int(request, "offset", 0)
        if not 0 < limit <= MAX_LIMIT:
            raise Rejection(
                netsuite_error(
                    400, "INVALID_PARAMETER", f"limit must be 1 to {MAX_LIMIT}.", query_param="limit"
                )
            )
        try:
            predicate = netsuite_query.parse_query(q) if q else None
        except netsuite_query.QueryError as error:
            detail = f"Invalid search query. {error}"
            raise Rejection(netsuite_error(400, "INVALID_PARAMETER", detail, query_param="q")) from None
        records = await self._store.all(System.NETSUITE, object_type)
        matching = sorted(
            (r for r in records if predicate is None or predicate(r)), key=lambda r: int(str(r["id"]))
        )
        page = matching[offset : offset + limit]
        base = str(request.base_url)
        body = {
            "links": _collection_links(
                base, object_type, q=q, limit=limit, offset=offset, total=len(matching)
            ),
            "count": len(page),
            "hasMore": offset + limit < len(matching),
            "offset": offset,
            "totalResults": len(matching),
            "items": [
                {
                    "links": [{"rel": "self", "href": _record_href(base, object_type, str(r["id"]))}],
                    "id": r["id"],
                }
                for r in page
            ],
        }
        return json_response(body)

    async def create(self, request: Request) -> Response:
        """POST a record: 204 with the new record's URL in ``Location``."""
        object_type = _object_type(request)
        fields = await _writable_body(request)
        created = await self._store.create(System.NETSUITE, object_type, fields)
        location = _record_href(str(request.base_url), object_type, str(created["id"]))
        return Response(status_code=204, headers={"Location": location})

    async def patch(self, request: Request) -> Response:
        """PATCH only the given fields: 204 with an empty body (and the record's ``Location``)."""
        object_type, record = await self._find(request)
        changes = await _writable_body(request)
        await self._store.update(System.NETSUITE, object_type, str(record["id"]), changes)
        location = _record_href(str(request.base_url), object_type, str(record["id"]))
        return Response(status_code=204, headers={"Location": location})

    async def delete(self, request: Request) -> Response:
        """DELETE a record: 204."""
        object_type, record = await self._find(request)
        await self._store.delete(System.NETSUITE, object_type, str(record["id"]))
        return Response(status_code=204)

    async def _find(self, request: Request) -> tuple[str, dict[str, object]]:
        object_type = _object_type(request)
        wanted = str(request.path_params["record_id"])
        record = None
        if wanted.startswith("eid:"):
            outside_key = wanted.removeprefix("eid:")
            records = await self._store.all(System.NETSUITE, object_type)
            record = next((r for r in records if r.get("externalId") == outside_key), None)
        elif wanted.isdigit():
            record = await self._store.get(System.NETSUITE, object_type, wanted)
        if record is None:
            detail = "The record instance does not exist. Provide a valid record instance ID."
            raise Rejection(netsuite_error(404, "NONEXISTENT_ID", detail))
        return object_type, record


def present(record: dict[str, object], object_type: str, base: str, *, expand: bool) -> dict[str, object]:
    """The record as NetSuite returns it: a self link first, sublists collapsed to links unless expanded."""
    href = _record_href(base, object_type, str(record["id"]))
    shown: dict[str, object] = {"links": [{"rel": "self", "href": href}]}
    for name, value in record.items():
        if isinstance(value, dict) and "items" in value:
            sublist_links = [{"rel": "self", "href": f"{href}/{name}"}]
            value = {"links": sublist_links, **value} if expand else {"links": sublist_links}  # noqa: PLW2901
        shown[name] = value
    return shown


def _record_href(base: str, object_type: str, record_id: str) -> str:
    return f"{base}{RECORD_PATH.lstrip('/')}/{object_type}/{record_id}"


def _collection_links(
    base: str, object_type: str, *, q: str | None, limit: int, offset: int, total: int
) -> list[dict[str, str]]:
    def href(at: int) -> str:
        query = {"q": q, "limit": limit, "offset": at} if q else {"limit": limit, "offset": at}
        return f"{base}{RECORD_PATH.lstrip('/')}/{object_type}?{urlencode(query)}"

    last = max(0, (total - 1) // limit * limit)
    links = []
    if offset > 0:
        links.append({"rel": "previous", "href": href(max(0, offset - limit))})
    links.append({"rel": "first", "href": href(0)})
    if offset + limit < total:
        links.append({"rel": "next", "href": href(offset + limit)})
    links.append({"rel": "last", "href": href(last)})
    links.append({"rel": "self", "href": href(offset)})
    return links


def _object_type(request: Request) -> str:
    object_type = str(request.path_params["object_type"])
    if object_type not in OBJECT_TYPES[System.NETSUITE]:
        detail = f"Record type '{object_type}' does not exist."
        raise Rejection(netsuite_error(404, "NONEXISTENT_ID", detail))
    return object_type


def _query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        detail = f"Invalid value for the query parameter '{name}'."
        raise Rejection(netsuite_error(400, "INVALID_PARAMETER", detail, query_param=name))
    return int(raw)


async def _writable_body(request: Request) -> dict[str, object]:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError as error:
        raise Rejection(
            netsuite_error(400, "INVALID_CONTENT", f"Invalid JSON content: {error.msg}.")
        ) from None
    if not isinstance(body, dict):
        raise Rejection(netsuite_error(400, "INVALID_CONTENT", "The request body must be a JSON object."))
    email = body.get("email")
    if email is not None and (not isinstance(email, str) or (email and "@" not in email)):
        detail = "Invalid value for the resource or sub-resource field 'email'. Provide a valid value."
        raise Rejection(netsuite_error(400, "INVALID_PARAMETER", detail, path="email"))
    return {name: value for name, value in body.items() if name not in _READ_ONLY}
