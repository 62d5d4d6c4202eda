"""HubSpot CRM v3 objects API imitation (PLATFORMS.md 1.3-1.6).

Paths under ``/crm/v3/objects/{objectType}``: GET one (``properties``, ``associations``,
``idProperty``), list (``limit`` <= 100, ``after`` cursor), search, batch read, PATCH, create.
Every request needs ``Authorization: Bearer <private-app token>``. Non-search responses carry the
``X-HubSpot-RateLimit-*`` headers; search has its own per-second limit and no such headers.
"""

import json
from collections.abc import Awaitable, Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.sandbox import hubspot_search
from services.sandbox.faults import FaultInjector
from services.sandbox.hubspot_views import (
    associations_from_create,
    present,
    requested_list,
    validate_properties,
)
from services.sandbox.platform_errors import (
    HUBSPOT_AUTH_INVALID,
    HUBSPOT_AUTH_MISSING,
    Rejection,
    hubspot_error,
    hubspot_rate_limited,
    json_response,
)
from services.sandbox.ratelimit import HubSpotLimiter
from services.sandbox.settings import SandboxSettings
from services.sandbox.stamping import OBJECT_TYPES, hubspot_time
from services.sandbox.store import SandboxStore
from shared.core.model import System

Handler = Callable[[Request], Awaitable[Response]]
MAX_LIST_LIMIT = 100
MAX_BATCH_INPUTS = 100
_BASE = "/crm/v3/objects/{object_type}"
_RATE_MESSAGES = {
    "DAILY": "You have reached your daily limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
}


class HubSpotApi:
    """The HubSpot routes over the sandbox store."""

    def __init__(
        self,
        store: SandboxStore,
        settings: SandboxSettings,
        *,
        limiter: HubSpotLimiter,
        faults: FaultInjector,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._now = clock
        self._token = settings.hubspot_token.get_secret_value()
        self._limiter = limiter
        self._faults = faults

    def routes(self) -> list[BaseRoute]:
        """Starlette routes; the fixed-path ones come before ``/{id}`` so they win."""
        return [
            Route(f"{_BASE}/search", self._guard(self.search, search=True), methods=["POST"]),
            Route(f"{_BASE}/batch/read", self._guard(self.batch_read), methods=["POST"]),
            Route(_BASE, self._guard(self.list_objects), methods=["GET"]),
            Route(_BASE, self._guard(self.create), methods=["POST"]),
            Route(f"{_BASE}/{{record_id}}", self._guard(self.get_one), methods=["GET"]),
            Route(f"{_BASE}/{{record_id}}", self._guard(self.patch), methods=["PATCH"]),
        ]

    def _guard(self, handler: Handler, *, search: bool = False) -> Handler:
        async def guarded(request: Request) -> Response:
            header = request.headers.get("authorization", "")
            if not header.lower().startswith("bearer "):
                return hubspot_error(401, "INVALID_AUTHENTICATION", HUBSPOT_AUTH_MISSING)
            if header[len("bearer ") :].strip() != self._token:
                return hubspot_error(401, "INVALID_AUTHENTICATION", HUBSPOT_AUTH_INVALID)
            admission = self._limiter.admit(search=search)
            if not admission.admitted:
                policy = admission.policy or "TEN_SECONDLY_ROLLING"
                headers = dict(admission.headers)
                if admission.retry_after is not None:
                    headers["Retry-After"] = str(max(1, round(admission.retry_after)))
                return hubspot_rate_limited(
                    policy, _RATE_MESSAGES.get(policy, "Rate limit reached."), headers
                )
            await self._faults.delay(System.HUBSPOT)
            try:
                response = await handler(request)
            except Rejection as rejection:
                response = rejection.response
            response.headers.update(admission.headers)
            return response

        return guarded

    async def get_one(self, request: Request) -> Response:
        """GET one object: default properties unless ``properties`` names them; 404 if unknown."""
        object_type = _object_type(request)
        record = await self._find(
            object_type, request.path_params["record_id"], request.query_params.get("idProperty")
        )
        properties = requested_list(request.query_params.getlist("properties"))
        associations = requested_list(request.query_params.getlist("associations"))
        return json_response(present(record, object_type, properties, associations))

    async def list_objects(self, request: Request) -> Response:
        """GET a page of objects in id order; ``after`` is the first id of the next page."""
        object_type = _object_type(request)
        limit = _query_int(request, "limit", 10)
        if not 0 < limit <= MAX_LIST_LIMIT:
            raise Rejection(
                hubspot_error(400, "VALIDATION_ERROR", f"limit must be between 1 and {MAX_LIST_LIMIT}.")
            )
        after = _query_int(request, "after", 0)
        records = sorted(await self._store.all(System.HUBSPOT, object_type), key=lambda r: int(str(r["id"])))
        remaining = [record for record in records if int(str(record["id"])) >= after]
        page = remaining[:limit]
        properties = requested_list(request.query_params.getlist("properties"))
        associations = requested_list(request.query_params.getlist("associations"))
        body: dict[str, object] = {
            "results": [present(r, object_type, properties, associations) for r in page]
        }
        if len(remaining) > limit:
            next_after = str(int(str(page[-1]["id"])) + 1)
            link = f"{request.base_url}{request.url.path.lstrip('/')}?after={next_after}"
            body["paging"] = {"next": {"after": next_after, "link": link}}
        return json_response(body)

    async def search(self, request: Request) -> Response:
        """POST search: filter groups, one sort, offset paging, 10,000-result ceiling (400 past it)."""
        object_type = _object_type(request)
        try:
            query = hubspot_search.parse_search((await request.body()).decode("utf-8", errors="replace"))
        except hubspot_search.SearchError as error:
            raise Rejection(hubspot_error(400, "VALIDATION_ERROR", str(error))) from None
        records = await self._store.all(System.HUBSPOT, object_type)
        page, total, next_after = hubspot_search.run_search(records, query)
        body: dict[str, object] = {
            "total": total,
            "results": [present(record, object_type, query.properties, None) for record in page],
        }
        if next_after is not None:
            body["paging"] = {"next": {"after": str(next_after), "link": f"?after={next_after}"}}
        return json_response(body)

    async def batch_read(self, request: Request) -> Response:
        """POST batch read of at most 100 ids (or ``idProperty`` values); 207 lists the missing ones."""
        object_type = _object_type(request)
        body = await _json_object(request)
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or len(inputs) > MAX_BATCH_INPUTS:
            message = f"inputs must be a list of at most {MAX_BATCH_INPUTS} objects."
            raise Rejection(hubspot_error(400, "VALIDATION_ERROR", message))
        started = hubspot_time(self._now())
        raw_id_property = body.get("idProperty")
        id_property = raw_id_property if isinstance(raw_id_property, str) else None
        raw_properties = body.get("properties")
        properties = [str(p) for p in raw_properties] if isinstance(raw_properties, list) else None
        results: list[dict[str, object]] = []
        missing: list[str] = []
        for item in inputs:
            wanted = str(item.get("id")) if isinstance(item, dict) else str(item)
            try:
                record = await self._find(object_type, wanted, id_property)
            except Rejection:
                missing.append(wanted)
                continue
            results.append(present(record, object_type, properties, None))
        reply: dict[str, object] = {"status": "COMPLETE", "results": results}
        if missing:
            reply["numErrors"] = 1
            reply["errors"] = [_not_found_error(object_type, missing)]
        reply.update(startedAt=started, completedAt=hubspot_time(self._now()))
        return json_response(reply, 207 if missing else 200)

    async def patch(self, request: Request) -> Response:
        """PATCH properties (strings; ``""`` clears); returns the full updated object."""
        object_type = _object_type(request)
        record = await self._find(
            object_type, request.path_params["record_id"], request.query_params.get("idProperty")
        )
        properties = validate_properties(await _json_object(request), object_type)
        updated = await self._store.update(
            System.HUBSPOT, object_type, str(record["id"]), {"properties": properties}
        )
        return json_response(present(updated, object_type, "all", None))

    async def create(self, request: Request) -> Response:
        """POST a new object (201); a contact whose email exists already is a 409 CONFLICT."""
        object_type = _object_type(request)
        body = await _json_object(request)
        properties = validate_properties(body, object_type)
        email = properties.get("email")
        if object_type == "contacts" and email:
            existing = await self._by_property(object_type, "email", email)
            if existing is not None:
                message = f"Contact already exists. Existing ID: {existing['id']}"
                raise Rejection(hubspot_error(409, "CONFLICT", message))
        record: dict[str, object] = {"properties": properties}
        associations = associations_from_create(body.get("associations"))
        if associations:
            record["associations"] = associations
        created = await self._store.create(System.HUBSPOT, object_type, record)
        return json_response(present(created, object_type, "all", None), 201)

    async def _find(self, object_type: str, wanted: str, id_property: str | None) -> dict[str, object]:
        if id_property and id_property != "hs_object_id":
            found = await self._by_property(object_type, id_property, wanted)
        else:
            found = await self._store.get(System.HUBSPOT, object_type, wanted) if wanted.isdigit() else None
        if found is None:
            message = "Object not found.  objectId are usually numeric."
            raise Rejection(hubspot_error(404, "OBJECT_NOT_FOUND", message, context={"id": [wanted]}))
        return found

    async def _by_property(self, object_type: str, name: str, value: str) -> dict[str, object] | None:
        for record in await self._store.all(System.HUBSPOT, object_type):
            properties = record.get("properties")
            if isinstance(properties, dict) and str(properties.get(name, "")).lower() == value.lower():
                return record
        return None


def _object_type(request: Request) -> str:
    object_type = str(request.path_params["object_type"])
    if object_type not in OBJECT_TYPES[System.HUBSPOT]:
        message = f"Unable to infer object type from: {object_type}"
        raise Rejection(hubspot_error(400, "VALIDATION_ERROR", message))
    return object_type


def _query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.lstrip("-").isdigit():
        raise Rejection(hubspot_error(400, "VALIDATION_ERROR", f"{name} must be an integer; got {raw!r}."))
    return int(raw)


async def _json_object(request: Request) -> dict[str, object]:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError as error:
        message = f"Invalid input JSON on line {error.lineno}, column {error.colno}: {error.msg}"
        raise Rejection(hubspot_error(400, "VALIDATION_ERROR", message)) from None
    if not isinstance(body, dict):
        raise Rejection(hubspot_error(400, "VALIDATION_ERROR", "Invalid input JSON: expected an object."))
    return body


def _not_found_error(object_type: str, missing: list[str]) -> dict[str, object]:
    singular = object_type.rstrip("s").upper()
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": f"Could not get some {singular} objects, they may be deleted or not exist. Check that ids are valid.",
        "context": {"ids": missing},
    }
