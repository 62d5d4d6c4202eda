"""Signed webhook deliveries as the platforms send them, for ingest's tests and benchmarks."""

import json
from datetime import UTC, datetime

from shared.core.signatures import (
    hubspot_v3_signature,
    hubspot_v3_timestamp,
    netsuite_callout_signature,
    netsuite_callout_timestamp,
    shopify_webhook_hmac,
)

HUBSPOT_SECRET = "hubspot-test-secret"
SHOPIFY_SECRET = "shopify-test-secret"
NETSUITE_SECRET = "netsuite-test-secret"


def hubspot_events(
    count: int, *, first_object_id: int = 51, event_base: int = 100
) -> list[dict[str, object]]:
    return [
        {
            "eventId": event_base + index,
            "subscriptionId": 25,
            "portalId": 62515,
            "appId": 1160452,
            "occurredAt": 1_764_300_000_000 + index,
            "subscriptionType": "contact.propertyChange",
            "attemptNumber": 0,
            "objectId": first_object_id + index,
            "propertyName": "email",
            "propertyValue": f"person{index}@acme.example",
            "changeSource": "CRM_UI",
        }
        for index in range(count)
    ]


def hubspot_headers(
    body: bytes, uri: str, *, secret: str = HUBSPOT_SECRET, at: datetime | None = None
) -> dict[str, str]:
    timestamp = hubspot_v3_timestamp(at or datetime.now(UTC))
    return {
        "content-type": "application/json",
        "x-hubspot-signature-v3": hubspot_v3_signature(secret, "POST", uri, body, timestamp),
        "x-hubspot-request-timestamp": timestamp,
    }


def shopify_headers(
    body: bytes, *, topic: str = "customers/update", webhook_id: str = "wh-1"
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-shopify-hmac-sha256": shopify_webhook_hmac(SHOPIFY_SECRET, body),
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": "concord-demo.myshopify.com",
        "x-shopify-api-version": "2024-07",
        "x-shopify-webhook-id": webhook_id,
        "x-shopify-triggered-at": "2026-11-28T10:00:00.000000000Z",
    }


def netsuite_headers(body: bytes, *, delivery_id: str = "cb-1") -> dict[str, str]:
    timestamp = netsuite_callout_timestamp(datetime.now(UTC))
    return {
        "content-type": "application/json",
        "x-ns-callout-timestamp": timestamp,
        "x-ns-callout-signature": netsuite_callout_signature(NETSUITE_SECRET, timestamp, body),
        "x-ns-callout-id": delivery_id,
    }


def as_body(payload: object) -> bytes:
    return json.dumps(payload).encode()
