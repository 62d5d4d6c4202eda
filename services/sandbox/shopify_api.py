"""Shopify Admin REST API imitation (PLATFORMS.md 2.2-2.5) for customers, products, orders, variants.

Paths under ``/admin/api/{version}/``; every request needs ``X-Shopify-Access-Token``. Lists page
through ``Link`` headers with ``page_info`` cursors; every response reports the leaky bucket in
``X-Shopify-Shop-Api-Call-Limit`` and the serving version in ``X-Shopify-API-Version``.
"""

import json
import re
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.sandbox import shopify_paging
from services.sandbox.faults import FaultInjector
from services.sandbox.platform_errors import (
    SHOPIFY_AUTH_INVALID,
    SHOPIFY_THROTTLED,
    Rejection,
    json_response,
    shopify_error,
)
from services.sandbox.ratelimit import ShopifyBucket
from services.sandbox.settings import SandboxSettings
from services.sandbox.store import SandboxStore
from shared.core.model import System

Handler = Callable[[Request], Awaitable[Response]]
ROOT_KEYS: Mapping[str, str] = {"customers": "customer", "products": "product", "orders": "order"}
_VERSION = re.compile(r"^\d{4}-(01|04|07|10)$")
_READ_ONLY = frozenset({"id", "created_at", "updated_at", "admin_graphql_api_id"})
_PREFIX = "/admin/api/{version}"


class ShopifyApi:
    """The Shopify REST routes over the sandbox store."""

    def __init__(
        self, store: SandboxStore, settings: SandboxSettings, *, bucket: ShopifyBucket, faults: FaultInjector
    ) -> None:
        self._store = store
        self._token = settings.shopify_access_token.get_secret_value()
        self._bucket = bucket
        self._faults = faults

    def routes(self) -> list[BaseRoute]:
        """Starlette routes; variants and counts come before the generic ``{resource}`` paths."""
        return [
            Route(f"{_PREFIX}/variants/{{record_id}}.json", self._guard(self.get_variant), methods=["GET"]),
            Route(f"{_PREFIX}/variants/{{record_id}}.json", self._guard(self.put_variant), methods=["PUT"]),
            Route(f"{_PREFIX}/{{resource}}/count.json", self._guard(self.count), methods=["GET"]),
            Route(f"{_PREFIX}/{{resource}}/{{record_id}}.json", self._guard(self.get_one), methods=["GET"]),
            Route(f"{_PREFIX}/{{resource}}/{{record_id}}.json", self._guard(self.put), methods=["PUT"]),
            Route(f"{_PREFIX}/{{resource}}.json", self._guard(self.list_records), methods=["GET"]),
            Route(f"{_PREFIX}/{{resource}}.json", self._guard(self.create), methods=["POST"]),
        ]

    def _guard(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            version = str(request.path_params["version"])
            if not _VERSION.match(version):
                return shopify_error(404, "Not Found")
            if request.headers.get("x-shopify-access-token") != self._token:
                return shopify_error(401, SHOPIFY_AUTH_INVALID)
            admission = self._bucket.admit()
            if not admission.admitted:
                headers = {**admission.headers, "Retry-After": f"{admission.retry_after or 2.0:.1f}"}
                return shopify_error(429, SHOPIFY_THROTTLED, headers)
            await self._faults.delay(System.SHOPIFY)
            try:
                response = await handler(request)
            except Rejection as rejection:
                response = rejection.response
            response.headers.update({**admission.headers, "X-Shopify-API-Version": version})
            return response

        return guarded

    async def list_records(self, request: Request) -> Response:
        """GET a page; the ``Link`` header holds the ``next``/``previous`` cursors when there are more."""
        resource = _resource(request)
        params = request.query_params
        limit = _limit(params.get("limit"))
        try:
            filters, cursor = _filters_and_cursor(request, resource)
            page = shopify_paging.paginate(
                await self._store.all(System.SHOPIFY, resource), filters, cursor, limit
            )
        except shopify_paging.PagingError as error:
            raise Rejection(shopify_error(400, {error.parameter: [error.message]})) from None
        fields = _fields(params.get("fields"))
        body = {resource: [_select(record, fields) for record in page.records]}
        links = []
        base = f"{request.base_url}{request.url.path.lstrip('/')}?limit={limit}"
        if params.get("fields"):
            base += f"&fields={params['fields']}"
        if page.previous_cursor is not None:
            links.append(f'<{base}&page_info={page.previous_cursor.encode()}>; rel="previous"')
        if page.next_cursor is not None:
            links.append(f'<{base}&page_info={page.next_cursor.encode()}>; rel="next"')
        return json_response(body, headers={"Link": ", ".join(links)} if links else None)

    async def count(self, request: Request) -> Response:
        """GET the number of records matching the list filters."""
        resource = _resource(request)
        try:
            filters, _ = _filters_and_cursor(request, resource)
            records = await self._store.all(System.SHOPIFY, resource)
            total = sum(1 for record in records if shopify_paging.matches(record, filters))
        except shopify_paging.PagingError as error:
            raise Rejection(shopify_error(400, {error.parameter: [error.message]})) from None
        return json_response({"count": total})

    async def get_one(self, request: Request) -> Response:
        """GET one record as ``{"customer": {...}}``; 404 ``{"errors": "Not Found"}`` when unknown."""
        resource = _resource(request)
        record = await self._find(resource, str(request.path_params["record_id"]))
        return json_response(
            {ROOT_KEYS[resource]: _select(record, _fields(request.query_params.get("fields")))}
        )

    async def put(self, request: Request) -> Response:
        """PUT changes under the root key; returns the full record. 422 on invalid or taken values."""
        resource = _resource(request)
        record = await self._find(resource, str(request.path_params["record_id"]))
        changes = await _root_object(request, ROOT_KEYS[resource])
        await self._validate(resource, changes, own_id=record["id"])
        updated = await self._store.update(System.SHOPIFY, resource, str(record["id"]), changes)
        return json_response({ROOT_KEYS[resource]: updated})

    async def create(self, request: Request) -> Response:
        """POST a new record under the root key; 201 with the created record."""
        resource = _resource(request)
        fields = await _root_object(request, ROOT_KEYS[resource])
        await self._validate(resource, fields, own_id=None)
        created = await self._store.create(System.SHOPIFY, resource, fields)
        return json_response({ROOT_KEYS[resource]: created}, 201)

    async def get_variant(self, request: Request) -> Response:
        """GET one variant as ``{"variant": {...}}``."""
        _, variant = await self._find_variant(str(request.path_params["record_id"]))
        return json_response({"variant": variant})

    async def put_variant(self, request: Request) -> Response:
        """PUT a variant's changes; its product is updated (and re-stamped) with it."""
        product, variant = await self._find_variant(str(request.path_params["record_id"]))
        changes = await _root_object(request, "variant")
        listed = product.get("variants")
        variants = [
            {**item, **changes, "id": item["id"]} if item.get("id") == variant["id"] else item
            for item in (listed if isinstance(listed, list) else [])
            if isinstance(item, dict)
        ]
        updated = await self._store.update(
            System.SHOPIFY, "products", str(product["id"]), {"variants": variants}
        )
        merged = updated.get("variants")
        fresh = (
            [v for v in merged if isinstance(v, dict) and v.get("id") == variant["id"]]
            if isinstance(merged, list)
            else []
        )
        return json_response({"variant": fresh[0] if fresh else variant})

    async def _find(self, resource: str, record_id: str) -> dict[str, object]:
        record = await self._store.get(System.SHOPIFY, resource, record_id) if record_id.isdigit() else None
        if record is None:
            raise Rejection(shopify_error(404, "Not Found"))
        return record

    async def _find_variant(self, variant_id: str) -> tuple[dict[str, object], dict[str, object]]:
        for product in await self._store.all(System.SHOPIFY, "products"):
            variants = product.get("variants")
            for variant in variants if isinstance(variants, list) else []:
                if isinstance(variant, dict) and str(variant.get("id")) == variant_id:
                    return product, variant
        raise Rejection(shopify_error(404, "Not Found"))

    async def _validate(self, resource: str, fields: dict[str, object], *, own_id: object) -> None:
        for name in _READ_ONLY & set(fields):
            del fields[name]
        if resource != "customers":
            return
        errors: dict[str, list[str]] = {}
        email = fields.get("email")
        if isinstance(email, str) and email and ("@" not in email or " " in email):
            errors["email"] = ["is invalid"]
        for name in ("email", "phone"):
            value = fields.get(name)
            if value and name not in errors and await self._taken(name, value, own_id):
                errors[name] = ["has already been taken"]
        if errors:
            raise Rejection(shopify_error(422, errors))

    async def _taken(self, name: str, value: object, own_id: object) -> bool:
        for customer in await self._store.all(System.SHOPIFY, "customers"):
            if customer.get("id") != own_id and str(customer.get(name) or "").lower() == str(value).lower():
                return True
        return False


def _resource(request: Request) -> str:
    resource = str(request.path_params["resource"])
    if resource not in ROOT_KEYS:
        raise Rejection(shopify_error(404, "Not Found"))
    return resource


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return shopify_paging.DEFAULT_LIMIT
    if not raw.isdigit() or not 0 < int(raw) <= shopify_paging.MAX_LIMIT:
        raise Rejection(shopify_error(400, {"limit": [f"must be between 1 and {shopify_paging.MAX_LIMIT}"]}))
    return int(raw)


def _filters_and_cursor(
    request: Request, resource: str
) -> tuple[dict[str, str], shopify_paging.Cursor | None]:
    params = request.query_params
    token = params.get("page_info")
    if token:
        extra = sorted(set(params) - shopify_paging.PAGE_PARAMETERS)
        if extra:
            message = (
                f"cannot be combined with {', '.join(extra)}; only limit and fields may follow page_info"
            )
            raise shopify_paging.PagingError("page_info", message)
        cursor = shopify_paging.Cursor.decode(token)
        return cursor.filters, cursor
    filters = {name: params[name] for name in shopify_paging.FILTERS if params.get(name)}
    if resource == "orders":
        filters.setdefault("status", "open")  # Shopify lists only open orders unless told otherwise
    return filters, None


def _fields(raw: str | None) -> set[str] | None:
    return {name.strip() for name in raw.split(",") if name.strip()} if raw else None


def _select(record: Mapping[str, object], fields: set[str] | None) -> dict[str, object]:
    return {name: value for name, value in record.items() if fields is None or name in fields}


async def _root_object(request: Request, root: str) -> dict[str, object]:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError:
        raise Rejection(shopify_error(400, "Bad Request")) from None
    inner = body.get(root) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        raise Rejection(shopify_error(400, {root: "Required parameter missing or invalid"}))
    return inner
