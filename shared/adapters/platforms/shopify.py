"""Shopify Admin REST connector: customers, products (as variants) and orders.

Auth: the Admin API access token in ``X-Shopify-Access-Token``. Limit: the REST leaky bucket
(default 40 requests draining at 2 per second), shared by every caller of the shop.

Changes are listed with ``updated_at_min`` and cursor pagination: the next page's ``page_info``
comes from the ``Link`` header and is used exactly as given, with only ``limit`` beside it.
Orders are listed with ``status=any`` (Shopify lists only open orders otherwise).

A canonical product is one variant: product listings are exploded into one record per variant,
reads and updates of a product address the variant (``variants/{id}.json``) and read its product
for the title. Creating a product creates a Shopify product with that one variant.

Provenance: every write carries a ``concord.sync_tag`` metafield inline (Shopify accepts
``metafields`` inside a resource's create/update body); the receipt also keeps Shopify's
``X-Request-Id`` and the ``updated_at`` the write produced.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import httpx
from pydantic import TypeAdapter

from shared.adapters.budget import LeakyBucket, Limit, Priority
from shared.adapters.metrics import ConnectorMetrics
from shared.adapters.platforms.base import (
    CallBudget,
    ChangeCursor,
    ChangePage,
    WriteReceipt,
    WriteResult,
    unsupported,
)
from shared.adapters.platforms.http import Call, PlatformHttp, object_at, parse_as, parse_json
from shared.adapters.platforms.settings import ShopifySettings
from shared.core.errors import Invalid, MalformedResponse, NotFound
from shared.core.model import EntityType, ExternalRef, System
from shared.core.platforms.base import WireObject, WireRecord
from shared.core.platforms.shopify import (
    ShopifyCustomer,
    ShopifyOrder,
    ShopifyProduct,
    ShopifyVariant,
    explode_product,
)

# (collection path, singular key) per object type Concord reads in bulk.
_COLLECTIONS: dict[EntityType, tuple[str, str]] = {
    EntityType.CUSTOMER: ("customers", "customer"),
    EntityType.PRODUCT: ("products", "product"),
    EntityType.ORDER: ("orders", "order"),
}
_OBJECT_TYPES: dict[EntityType, str] = {
    EntityType.CUSTOMER: "customers",
    EntityType.PRODUCT: "variants",
    EntityType.ORDER: "orders",
}
_RECORDS: dict[str, type[ShopifyCustomer] | type[ShopifyOrder] | type[ShopifyProduct]] = {
    "customers": ShopifyCustomer,
    "orders": ShopifyOrder,
    "products": ShopifyProduct,
}
_VARIANT: TypeAdapter[ShopifyVariant] = TypeAdapter(ShopifyVariant)
_PRODUCT: TypeAdapter[ShopifyProduct] = TypeAdapter(ShopifyProduct)


def shopify_limits(settings: ShopifySettings) -> list[Limit]:
    """The shop's REST leaky bucket."""
    return [LeakyBucket("rest", settings.bucket_size, settings.leak_per_second)]


def shopify_error_text(body: object) -> str | None:
    """Shopify's ``errors``: a string, or ``field: message`` pairs from an object of lists."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, dict):
        return "; ".join(
            f"{name}: {', '.join(map(str, messages)) if isinstance(messages, list) else messages}"
            for name, messages in errors.items()
        )
    return None if errors is None else str(errors)


def page_info(response: httpx.Response) -> str | None:
    """The ``page_info`` of the ``Link`` header's ``rel="next"`` URL; None on the last page."""
    url = response.links.get("next", {}).get("url")
    if url is None:
        return None
    values = parse_qs(urlparse(url).query).get("page_info")
    if not values:
        raise MalformedResponse("shopify Link rel=next has no page_info", details=url)
    return values[0]


class ShopifyConnector:
    """One Shopify shop. Implements ``PlatformConnector``."""

    def __init__(
        self,
        settings: ShopifySettings,
        client: httpx.AsyncClient,
        budget: CallBudget,
        *,
        metrics: ConnectorMetrics | None = None,
    ) -> None:
        self._settings = settings
        self._http = PlatformHttp(
            system=System.SHOPIFY,
            account=settings.shop,
            client=client,
            base_url=settings.api_root,
            budget=budget,
            policy=settings.http,
            error_text=shopify_error_text,
            headers={"X-Shopify-Access-Token": settings.access_token.get_secret_value()},
            metrics=metrics,
        )

    @property
    def system(self) -> System:
        return System.SHOPIFY

    async def read(
        self, entity_type: EntityType, external_id: str, *, priority: Priority = Priority.BACKGROUND
    ) -> WireRecord:
        if entity_type is EntityType.PRODUCT:
            return await self._read_variant(external_id, priority)
        path, key = self._collection(entity_type)
        data = await self._http.send_json(Call("GET", f"{path}/{external_id}.json"), priority)
        return self._parse(path, object_at(System.SHOPIFY, data, key, path))

    async def read_many(
        self,
        entity_type: EntityType,
        external_ids: Sequence[str],
        *,
        priority: Priority = Priority.BACKGROUND,
    ) -> list[WireRecord]:
        if entity_type is EntityType.PRODUCT:
            return await self._read_variants(external_ids, priority)
        path, _ = self._collection(entity_type)
        found: list[WireRecord] = []
        size = self._settings.page_size
        for start in range(0, len(external_ids), size):
            chunk = external_ids[start : start + size]
            params = {"ids": ",".join(chunk), "limit": str(size), **self._list_filters(entity_type)}
            data = await self._http.send_json(Call("GET", f"{path}.json", params=params), priority)
            found.extend(self._listed(entity_type, data))
        return found

    async def changed_since(
        self, entity_type: EntityType, cursor: ChangeCursor, *, priority: Priority = Priority.BACKGROUND
    ) -> ChangePage:
        path, _ = self._collection(entity_type)
        params = {"limit": str(self._settings.page_size)}
        if cursor.page is None:
            params |= {"updated_at_min": cursor.since.isoformat(), **self._list_filters(entity_type)}
        else:
            params["page_info"] = cursor.page  # filters travel inside the cursor
        response = await self._http.send(Call("GET", f"{path}.json", params=params), priority)
        records = self._listed(entity_type, parse_json(System.SHOPIFY, response))
        high_water = max((record.source_updated_at() for record in records), default=None)
        token = page_info(response)
        next_cursor = None if token is None else ChangeCursor(since=cursor.since, page=token)
        return ChangePage(tuple(records), next_cursor, high_water)

    async def update(
        self,
        entity_type: EntityType,
        external_id: str,
        body: WireObject,
        *,
        tag: str,
        priority: Priority = Priority.OPERATOR,
    ) -> WriteResult:
        path, key = (
            ("variants", "variant") if entity_type is EntityType.PRODUCT else self._collection(entity_type)
        )
        inner = self._inner(body, key)
        inner_id: WireObject = {"id": int(external_id)} if external_id.isdigit() else {}
        tagged: WireObject = {key: {**inner, **inner_id, **self._metafields(tag)}}
        call = Call("PUT", f"{path}/{external_id}.json", body=tagged, headers={"X-Request-Id": tag})
        response = await self._http.send(call, priority)
        if entity_type is EntityType.PRODUCT:
            record = await self._read_variant(external_id, priority)
        else:
            record = self._parse(
                path, object_at(System.SHOPIFY, parse_json(System.SHOPIFY, response), key, path)
            )
        return WriteResult(record, self._receipt(entity_type, record, tag, response))

    async def create(
        self, entity_type: EntityType, body: WireObject, *, tag: str, priority: Priority = Priority.OPERATOR
    ) -> WriteResult:
        path, key = self._collection(entity_type)
        tagged: WireObject = {key: {**self._inner(body, key), **self._metafields(tag)}}
        call = Call("POST", f"{path}.json", body=tagged, headers={"X-Request-Id": tag}, idempotent=False)
        response = await self._http.send(call, priority)
        created = object_at(System.SHOPIFY, parse_json(System.SHOPIFY, response), key, path)
        record: WireRecord = self._parse(path, created)
        if entity_type is EntityType.PRODUCT:
            variants = explode_product(self._product(created))
            if not variants:
                raise MalformedResponse(
                    "shopify created a product without variants", details=record.external_id()
                )
            record = variants[0]
        return WriteResult(record, self._receipt(entity_type, record, tag, response))

    async def _read_variant(self, variant_id: str, priority: Priority) -> WireRecord:
        data = await self._http.send_json(Call("GET", f"variants/{variant_id}.json"), priority)
        variant = parse_as(
            System.SHOPIFY, _VARIANT, object_at(System.SHOPIFY, data, "variant", "variant"), "variant"
        )
        if variant.product_id is None:
            raise MalformedResponse("shopify variant has no product_id", details=variant_id)
        data = await self._http.send_json(Call("GET", f"products/{variant.product_id}.json"), priority)
        product = self._product(object_at(System.SHOPIFY, data, "product", "products"))
        for record in explode_product(product):
            if record.external_id() == variant_id:
                return record
        raise NotFound(f"shopify variant {variant_id} is not in product {variant.product_id}")

    async def _read_variants(self, variant_ids: Sequence[str], priority: Priority) -> list[WireRecord]:
        found: list[WireRecord] = []
        for variant_id in variant_ids:
            try:
                found.append(await self._read_variant(variant_id, priority))
            except NotFound:
                continue
        return found

    def _listed(self, entity_type: EntityType, data: object) -> list[WireRecord]:
        path, _ = self._collection(entity_type)
        items = object_at(System.SHOPIFY, data, path, path)
        if not isinstance(items, list):
            raise MalformedResponse(f"shopify {path}: {path!r} is not a list", details=str(items)[:500])
        if entity_type is EntityType.PRODUCT:
            return [variant for item in items for variant in explode_product(self._product(item))]
        return [self._parse(path, item) for item in items]

    def _parse(self, path: str, data: object) -> ShopifyCustomer | ShopifyOrder | ShopifyProduct:
        record_type = _RECORDS[path]
        adapter: TypeAdapter[ShopifyCustomer | ShopifyOrder | ShopifyProduct] = TypeAdapter(record_type)
        return parse_as(System.SHOPIFY, adapter, data, path)

    def _product(self, data: object) -> ShopifyProduct:
        return parse_as(System.SHOPIFY, _PRODUCT, data, "products")

    def _receipt(
        self, entity_type: EntityType, record: WireRecord, tag: str, response: httpx.Response
    ) -> WriteReceipt:
        return WriteReceipt(
            ref=ExternalRef(
                system=System.SHOPIFY,
                object_type=_OBJECT_TYPES[entity_type],
                external_id=record.external_id(),
            ),
            tag=tag,
            carried_by="metafield:concord.sync_tag"
            if self._settings.provenance_metafields
            else "concord-side",
            request_id=response.headers.get("X-Request-Id") or tag,
            source_version=record.source_version(),
            written_at=datetime.now(UTC),
        )

    def _metafields(self, tag: str) -> WireObject:
        if not self._settings.provenance_metafields:
            return {}
        metafield: WireObject = {
            "namespace": "concord",
            "key": "sync_tag",
            "value": tag,
            "type": "single_line_text_field",
        }
        return {"metafields": [metafield]}

    @staticmethod
    def _inner(body: WireObject, key: str) -> WireObject:
        inner = body.get(key)
        if not isinstance(inner, dict):
            raise Invalid(f"a Shopify {key} write body holds its fields in {key!r}")
        return inner

    @staticmethod
    def _list_filters(entity_type: EntityType) -> dict[str, str]:
        return {"status": "any"} if entity_type is EntityType.ORDER else {}

    @staticmethod
    def _collection(entity_type: EntityType) -> tuple[str, str]:
        if entity_type not in _COLLECTIONS:
            raise unsupported(System.SHOPIFY, entity_type)
        return _COLLECTIONS[entity_type]
