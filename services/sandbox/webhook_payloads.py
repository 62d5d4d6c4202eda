"""What each imitated platform sends for one change: HubSpot events, Shopify notifications, NetSuite callouts.

Builders turn a :class:`ChangeEvent` into a :class:`Payload`; a payload renders one HTTP request per
attempt. What stays fixed across retries and what moves follows the platforms (PLATFORMS.md 1.1,
2.1, 3.1): HubSpot re-signs every attempt with a fresh timestamp and a higher ``attemptNumber``;
Shopify re-sends the identical body and headers (``X-Shopify-Webhook-Id`` included); a SuiteScript
callout is re-signed with a fresh timestamp. Random ids come from the ``random.Random`` passed in, so
a seeded dispatcher produces the same ids for the same changes.
"""

import json
import random
import uuid
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from services.sandbox.store import ChangeEvent
from shared.core.model import System
from shared.core.signatures import (
    HUBSPOT_SIGNATURE_HEADER,
    HUBSPOT_SIGNATURE_V3_HEADER,
    HUBSPOT_SIGNATURE_VERSION_HEADER,
    HUBSPOT_TIMESTAMP_HEADER,
    NETSUITE_CALLOUT_SIGNATURE_HEADER,
    NETSUITE_CALLOUT_TIMESTAMP_HEADER,
    SHOPIFY_HMAC_HEADER,
    hubspot_v1_signature,
    hubspot_v3_signature,
    hubspot_v3_timestamp,
    netsuite_callout_signature,
    netsuite_callout_timestamp,
    shopify_webhook_hmac,
)

HUBSPOT_OBJECT_NAMES: Mapping[str, str] = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "products": "product",
    "line_items": "line_item",
}
"""CRM object type -> the prefix of its subscription types (``contact.propertyChange``)."""

DEFAULT_HUBSPOT_SUBSCRIPTIONS: Mapping[str, tuple[str, ...]] = {
    "contacts": ("email", "firstname", "lastname", "phone", "company", "lifecyclestage", "address", "city"),
    "companies": ("name", "domain", "phone"),
    "deals": ("dealname", "amount", "dealstage", "closedate", "pipeline"),
    "products": ("name", "price", "hs_sku", "description"),
    "line_items": ("name", "quantity", "price", "amount", "hs_sku"),
}
"""Subscribed properties per CRM object type; HubSpot has no wildcard and no ``hs_lastmodifieddate``."""

SHOPIFY_TOPICS: Mapping[str, Mapping[str, str]] = {
    "customers": {
        "created": "customers/create",
        "updated": "customers/update",
        "deleted": "customers/delete",
    },
    "products": {"created": "products/create", "updated": "products/update", "deleted": "products/delete"},
    # Shopify's order topic for a change is "orders/updated", unlike the other resources.
    "orders": {"created": "orders/create", "updated": "orders/updated", "deleted": "orders/delete"},
}
NETSUITE_CALLOUT_TYPES: Mapping[str, str] = {"created": "create", "updated": "edit", "deleted": "delete"}
NETSUITE_CALLOUT_ID_HEADER = "X-NS-Callout-Id"
"""A delivery id stable across retries, so the receiver can drop repeats (our convention)."""

_HUBSPOT_CHANGE_SOURCES: Mapping[str, tuple[str, str]] = {
    "api": ("INTEGRATION", "appId:{app_id}"),
    "scenario": ("CRM_UI", "userId:45678"),
    "admin": ("CRM", "userId:1"),
}
_HUBSPOT_USER_AGENT = "HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon-executor"
_JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class OutboundRequest:
    """One POST exactly as it goes on the wire."""

    url: str
    body: bytes
    headers: dict[str, str]


class Payload(Protocol):
    """A notification to deliver; ``delivery_id`` stays the same across its retries and duplicates."""

    @property
    def system(self) -> System: ...

    @property
    def delivery_id(self) -> str: ...

    def render(self, attempt: int, now: datetime) -> OutboundRequest:
        """The request of attempt ``attempt`` (0 first), signed at ``now`` where the platform signs time."""
        ...


def random_uuid(ids: random.Random) -> str:
    """A version-4 UUID drawn from ``ids`` (reproducible, unlike ``uuid.uuid4``)."""
    return str(uuid.UUID(int=ids.getrandbits(128), version=4))


def _compact_json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _epoch_ms(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


# HubSpot ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubSpotBatch:
    """A JSON array of events; each attempt carries ``attemptNumber`` and a fresh v3 signature."""

    url: str
    secret: str
    events: tuple[Mapping[str, object], ...]
    delivery_id: str
    system: System = System.HUBSPOT

    def render(self, attempt: int, now: datetime) -> OutboundRequest:
        body = _compact_json([{**event, "attemptNumber": attempt} for event in self.events])
        timestamp = hubspot_v3_timestamp(now)
        headers = {
            **_JSON,
            "User-Agent": _HUBSPOT_USER_AGENT,
            HUBSPOT_SIGNATURE_V3_HEADER: hubspot_v3_signature(self.secret, "POST", self.url, body, timestamp),
            HUBSPOT_TIMESTAMP_HEADER: timestamp,
            HUBSPOT_SIGNATURE_HEADER: hubspot_v1_signature(self.secret, body),
            HUBSPOT_SIGNATURE_VERSION_HEADER: "v1",
        }
        return OutboundRequest(self.url, body, headers)


def hubspot_subscription_id(subscription_type: str, property_name: str | None = None) -> int:
    """A stable id for a subscription (the sandbox has no subscription API to assign one)."""
    return 100_000 + zlib.crc32(f"{subscription_type}:{property_name or ''}".encode()) % 900_000


def hubspot_events(
    change: ChangeEvent,
    *,
    subscriptions: Mapping[str, Sequence[str]],
    portal_id: int,
    app_id: int,
    next_event_id: Callable[[], int],
) -> list[dict[str, object]]:
    """The events one CRM change fires, without ``attemptNumber``; ``[]`` if nothing subscribed changed.

    A creation fires ``*.creation`` and a ``*.propertyChange`` for every subscribed property set; an
    update fires one ``*.propertyChange`` per changed subscribed property; a deletion ``*.deletion``.
    """
    object_name = HUBSPOT_OBJECT_NAMES.get(change.object_type)
    if object_name is None:
        return []
    source, source_id = _HUBSPOT_CHANGE_SOURCES.get(change.write_origin, ("API", "appId:{app_id}"))
    common: dict[str, object] = {
        "objectId": int(change.record_id),
        "portalId": portal_id,
        "appId": app_id,
        "occurredAt": _epoch_ms(change.occurred_at),
        "changeSource": source,
        "sourceId": source_id.format(app_id=app_id),
    }
    fired: list[tuple[str, dict[str, object]]] = []
    if change.kind == "deleted":
        fired.append((f"{object_name}.deletion", {"changeFlag": "DELETED"}))
    else:
        if change.kind == "created":
            fired.append((f"{object_name}.creation", {"changeFlag": "NEW"}))
        subscribed = subscriptions.get(change.object_type, ())
        fired.extend(
            (f"{object_name}.propertyChange", fields) for fields in _property_changes(change, subscribed)
        )
    return [_hubspot_event(kind, fields, common, next_event_id()) for kind, fields in fired]


def _property_changes(change: ChangeEvent, subscribed: Sequence[str]) -> list[dict[str, object]]:
    raw = change.record.get("properties")
    properties = raw if isinstance(raw, dict) else {}
    changes: list[dict[str, object]] = []
    for name in change.changed_fields:
        value = properties.get(name)
        if name not in subscribed or (change.kind == "created" and value is None):
            continue
        changes.append({"propertyName": name, "propertyValue": "" if value is None else str(value)})
    return changes


def _hubspot_event(
    subscription_type: str, fields: Mapping[str, object], common: Mapping[str, object], event_id: int
) -> dict[str, object]:
    property_name = fields.get("propertyName")
    return {
        "eventId": event_id,
        "subscriptionId": hubspot_subscription_id(subscription_type, str(property_name or "")),
        "subscriptionType": subscription_type,
        **common,
        **fields,
    }


# Shopify ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopifyNotification:
    """One webhook delivery: the same body and headers on every attempt."""

    url: str
    body: bytes
    headers: dict[str, str]
    delivery_id: str
    system: System = System.SHOPIFY

    def render(self, attempt: int, now: datetime) -> OutboundRequest:
        return OutboundRequest(self.url, self.body, dict(self.headers))


def shopify_triggered_at(moment: datetime) -> str:
    """``X-Shopify-Triggered-At``: ISO-8601 UTC with nanoseconds and ``Z``, as Shopify's fixtures show."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond:06d}000Z"


def shopify_notification(
    change: ChangeEvent, *, url: str, secret: str, shop_domain: str, api_version: str, ids: random.Random
) -> ShopifyNotification | None:
    """The webhook a Shopify change fires (full resource; only ``{"id"}`` for a deletion), or ``None``."""
    topic = SHOPIFY_TOPICS.get(change.object_type, {}).get(change.kind)
    if topic is None:
        return None
    record = change.record if change.kind != "deleted" else {"id": change.record.get("id", change.record_id)}
    body = _compact_json(record)
    webhook_id = random_uuid(ids)
    headers = {
        **_JSON,
        "X-Shopify-Topic": topic,
        SHOPIFY_HMAC_HEADER: shopify_webhook_hmac(secret, body),
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Event-Id": random_uuid(ids),
        "X-Shopify-Triggered-At": shopify_triggered_at(change.occurred_at),
    }
    return ShopifyNotification(url=url, body=body, headers=headers, delivery_id=webhook_id)


# NetSuite (SuiteScript user-event callout) --------------------------------------------------------


@dataclass(frozen=True)
class NetSuiteCallout:
    """``{recordType, id, type, record}`` POSTed by an afterSubmit script; re-signed on each attempt."""

    url: str
    secret: str
    body: bytes
    delivery_id: str
    system: System = System.NETSUITE

    def render(self, attempt: int, now: datetime) -> OutboundRequest:
        timestamp = netsuite_callout_timestamp(now)
        headers = {
            **_JSON,
            NETSUITE_CALLOUT_TIMESTAMP_HEADER: timestamp,
            NETSUITE_CALLOUT_SIGNATURE_HEADER: netsuite_callout_signature(self.secret, timestamp, self.body),
            NETSUITE_CALLOUT_ID_HEADER: self.delivery_id,
        }
        return OutboundRequest(self.url, self.body, headers)


def netsuite_callout(change: ChangeEvent, *, url: str, secret: str, ids: random.Random) -> NetSuiteCallout:
    """The callout a user-event script would make for this change (deletions carry the last state)."""
    body = _compact_json(
        {
            "recordType": change.object_type,
            "id": change.record_id,
            "type": NETSUITE_CALLOUT_TYPES[change.kind],
            "record": change.record,
        }
    )
    return NetSuiteCallout(url=url, secret=secret, body=body, delivery_id=random_uuid(ids))
