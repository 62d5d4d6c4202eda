"""How each platform shapes a stored record: id formats, timestamp formats, system fields.

The store calls :func:`stamp_new` on create and :func:`apply_changes` on update; both return the
record exactly as the platform's API would return it (before request-specific decoration such as
NetSuite's ``links``), so every reader of the store sees platform-shaped JSON.

Conventions of ``changes`` (a partial record in the platform's shape):
- HubSpot: ``{"properties": {...}}``; bare property names are accepted too. Values are stored as
  strings (``None`` stays null). ``changed_fields`` are property names.
- Shopify: top-level fields replace; ``variants`` (products) merge by ``id``, a variant without an
  id is new, an existing variant left out is deleted (as Shopify's PUT does).
- NetSuite: top-level fields replace (references and sublists included). A ``creditMemo`` gets
  a ``tranId`` from its own sequence (``CM-1001``...) and is otherwise given by its creator:
  ``createdFrom`` (the sales order reference), ``entity``, ``currency`` and ``total``.
"""

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone

from shared.core.model import System

IdAllocator = Callable[[str], Awaitable[int]]
"""Next value of a named counter (1, 2, ...); ids are built from it so they are deterministic."""

OBJECT_TYPES: Mapping[System, tuple[str, ...]] = {
    System.HUBSPOT: ("contacts", "companies", "products", "deals", "line_items"),
    System.SHOPIFY: ("customers", "products", "orders"),
    System.NETSUITE: ("customer", "inventoryItem", "salesOrder", "creditMemo"),
}
"""The object types the sandbox serves, by the platform's own names."""

SHOP_TIMEZONE = timezone(timedelta(hours=-4))
"""The imitated shop's UTC offset: Shopify renders timestamps in the shop's zone."""

_ID_BASES: Mapping[str, int] = {
    "hubspot:contacts": 100,
    "hubspot:companies": 31300,
    "hubspot:products": 1_500_000,
    "hubspot:deals": 9_001_200,
    "hubspot:line_items": 7_000_000,
    "shopify:customers": 7_045_610_060_000,
    "shopify:products": 8_123_456_700_000,
    "shopify:orders": 5_512_345_600_000,
    "shopify:variants": 44_123_456_000_000,
    "shopify:line_items": 13_012_345_600_000,
    "shopify:inventory_items": 46_123_456_000_000,
    "shopify:order_numbers": 1000,
    "netsuite:customer": 100,
    "netsuite:inventoryItem": 500,
    "netsuite:salesOrder": 4000,
    "netsuite:creditMemo": 7000,
    "netsuite:creditMemo_numbers": 1000,
}
_GID_TYPES: Mapping[str, str] = {"customers": "Customer", "products": "Product", "orders": "Order"}
_HUBSPOT_NON_PROPERTIES = frozenset(
    {"id", "properties", "createdAt", "updatedAt", "archived", "associations"}
)
_HUBSPOT_SYSTEM_PROPERTIES = frozenset(
    {"hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate"}
)
_NETSUITE_CREATED_FIELD: Mapping[str, str] = {
    "customer": "dateCreated",
    "inventoryItem": "createdDate",
    "salesOrder": "createdDate",
    "creditMemo": "createdDate",
}


def hubspot_time(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``: ``2024-06-10T15:59:56.004Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def shopify_time(moment: datetime) -> str:
    """ISO-8601 in the shop's offset, seconds: ``2024-06-10T11:59:56-04:00``."""
    return moment.astimezone(SHOP_TIMEZONE).isoformat(timespec="seconds")


def netsuite_time(moment: datetime) -> str:
    """ISO-8601 UTC, seconds, ``Z``: ``2024-06-10T15:59:56Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def truncate(system: System, moment: datetime) -> datetime:
    """``moment`` at the precision the platform renders (HubSpot ms, the others seconds), in UTC."""
    utc = moment.astimezone(UTC)
    if system is System.HUBSPOT:
        return utc.replace(microsecond=utc.microsecond // 1000 * 1000)
    return utc.replace(microsecond=0)


def hubspot_modified_property(object_type: str) -> str:
    """The change-tracking property: ``lastmodifieddate`` for contacts, ``hs_lastmodifieddate`` otherwise."""
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


async def allocate_id(system: System, counter: str, allocate: IdAllocator) -> int:
    """The next id of ``counter`` in ``system``'s numbering."""
    key = f"{system}:{counter}"
    return _ID_BASES.get(key, 0) + await allocate(key)


async def stamp_new(
    system: System, object_type: str, record: Mapping[str, object], now: datetime, allocate: IdAllocator
) -> dict[str, object]:
    """A new record with its platform-format id, creation and modification stamps."""
    numeric_id = await allocate_id(system, object_type, allocate)
    if system is System.HUBSPOT:
        return _hubspot_new(object_type, record, str(numeric_id), now)
    if system is System.SHOPIFY:
        created = {**record, "id": numeric_id, "created_at": shopify_time(now)}
        created["admin_graphql_api_id"] = f"gid://shopify/{_GID_TYPES[object_type]}/{numeric_id}"
        await _shopify_defaults(object_type, created, now, allocate)
        return _shopify_touch(created, now)
    created = {**record, "id": str(numeric_id), _NETSUITE_CREATED_FIELD[object_type]: netsuite_time(now)}
    await _netsuite_defaults(object_type, created, now, allocate)
    created["lastModifiedDate"] = netsuite_time(now)
    return created


async def apply_changes(
    system: System,
    object_type: str,
    current: Mapping[str, object],
    changes: Mapping[str, object],
    *,
    now: datetime,
    allocate: IdAllocator,
) -> tuple[dict[str, object], tuple[str, ...]]:
    """``current`` with ``changes`` applied and re-stamped, and the names of the fields that changed."""
    if system is System.HUBSPOT:
        return _hubspot_update(object_type, current, changes, now)
    updated = dict(current)
    changed: list[str] = []
    for name, requested in changes.items():
        if name == "id":
            continue
        value = requested
        if system is System.SHOPIFY and name == "variants" and isinstance(requested, list):
            value = await _merge_variants(current, requested, now, allocate)
        if updated.get(name) != value:
            changed.append(name)
        updated[name] = value
    if system is System.SHOPIFY:
        return _shopify_touch(updated, now), tuple(changed)
    updated["lastModifiedDate"] = netsuite_time(now)
    return updated, tuple(changed)


def _hubspot_string(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _hubspot_new(
    object_type: str, record: Mapping[str, object], record_id: str, now: datetime
) -> dict[str, object]:
    raw = record.get("properties")
    properties = {
        name: _hubspot_string(value) for name, value in (raw if isinstance(raw, dict) else {}).items()
    }
    stamp = hubspot_time(now)
    properties.update(
        {"hs_object_id": record_id, "createdate": stamp, hubspot_modified_property(object_type): stamp}
    )
    created: dict[str, object] = {
        "id": record_id,
        "properties": dict(sorted(properties.items())),
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": False,
    }
    if isinstance(record.get("associations"), dict):
        created["associations"] = record["associations"]
    return created


def _hubspot_update(
    object_type: str, current: Mapping[str, object], changes: Mapping[str, object], now: datetime
) -> tuple[dict[str, object], tuple[str, ...]]:
    raw = changes.get("properties")
    requested = dict(raw) if isinstance(raw, dict) else {}
    requested.update({k: v for k, v in changes.items() if k not in _HUBSPOT_NON_PROPERTIES})
    existing = current.get("properties")
    properties: dict[str, str | None] = dict(existing) if isinstance(existing, dict) else {}
    changed = []
    for name, value in requested.items():
        if name in _HUBSPOT_SYSTEM_PROPERTIES:
            continue
        text = _hubspot_string(value)
        if properties.get(name) != text:
            changed.append(name)
        properties[name] = text
    stamp = hubspot_time(now)
    properties[hubspot_modified_property(object_type)] = stamp
    updated = {**current, "properties": dict(sorted(properties.items())), "updatedAt": stamp}
    if isinstance(changes.get("associations"), dict):
        updated["associations"] = changes["associations"]
        changed.append("associations")
    return updated, tuple(changed)


def _shopify_touch(record: dict[str, object], now: datetime) -> dict[str, object]:
    record["updated_at"] = shopify_time(now)
    return record


async def _shopify_defaults(
    object_type: str, record: dict[str, object], now: datetime, allocate: IdAllocator
) -> None:
    if object_type == "customers":
        for name, default in (
            ("state", "enabled"),
            ("verified_email", True),
            ("tags", ""),
            ("addresses", []),
        ):
            record.setdefault(name, default)
    elif object_type == "products":
        record.setdefault("status", "active")
        record.setdefault("handle", str(record.get("title", "")).lower().replace(" ", "-"))
        variants = record.get("variants")
        record["variants"] = await _merge_variants(
            record, variants if isinstance(variants, list) else [], now, allocate
        )
    elif object_type == "orders":
        if "order_number" not in record:
            number = await allocate_id(System.SHOPIFY, "order_numbers", allocate)
            record.update(order_number=number, number=number - 1000, name=f"#{number}")
        record.setdefault("processed_at", record["created_at"])
        await _number_line_items(record, allocate)


async def _merge_variants(
    product: Mapping[str, object], requested: list[object], now: datetime, allocate: IdAllocator
) -> list[object]:
    listed = product.get("variants")
    existing = {
        v["id"]: v for v in (listed if isinstance(listed, list) else []) if isinstance(v, dict) and "id" in v
    }
    merged: list[object] = []
    for position, variant in enumerate(requested, start=1):
        if not isinstance(variant, dict):
            continue
        before = existing.get(variant["id"]) if "id" in variant else None
        if before is None:
            variant_id = await allocate_id(System.SHOPIFY, "variants", allocate)
            inventory_id = await allocate_id(System.SHOPIFY, "inventory_items", allocate)
            before = {"id": variant_id, "inventory_item_id": inventory_id, "created_at": shopify_time(now)}
            before["admin_graphql_api_id"] = f"gid://shopify/ProductVariant/{variant_id}"
        after = {
            **before,
            **variant,
            "id": before["id"],
            "product_id": product.get("id"),
            "position": position,
        }
        if after != before:
            after["updated_at"] = shopify_time(now)
        merged.append(after)
    return merged


async def _number_line_items(order: dict[str, object], allocate: IdAllocator) -> None:
    lines = order.get("line_items")
    for line in lines if isinstance(lines, list) else []:
        if isinstance(line, dict) and "id" not in line:
            line["id"] = await allocate_id(System.SHOPIFY, "line_items", allocate)
            line["admin_graphql_api_id"] = f"gid://shopify/LineItem/{line['id']}"


async def _netsuite_defaults(
    object_type: str, record: dict[str, object], now: datetime, allocate: IdAllocator
) -> None:
    if object_type == "customer":
        record.setdefault("entityId", f"CUST-{record['id']}")
        record.setdefault("isInactive", False)
    elif object_type == "salesOrder":
        record.setdefault("tranId", f"SO{record['id']}")
        record.setdefault("tranDate", now.astimezone(UTC).date().isoformat())
    elif object_type == "inventoryItem":
        record.setdefault("isInactive", False)
    elif object_type == "creditMemo":
        if "tranId" not in record:
            record["tranId"] = f"CM-{await allocate_id(System.NETSUITE, 'creditMemo_numbers', allocate)}"
        record.setdefault("tranDate", now.astimezone(UTC).date().isoformat())
