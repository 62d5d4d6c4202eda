"""Webhook intake: decide whether a delivery is trusted and well-formed, and split it into raw notifications.

Pure decisions over bytes and headers; no framework, no I/O. The HTTP layer (``webhooks.py``) reads
the request, calls one of the ``accept_*`` functions and either publishes the notifications (then
answers 2xx) or answers the rejection's status. A rejection never publishes anything.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import ValidationError

from shared.core.events import RawNotificationReceived, first_in_chain, raw_notification_id
from shared.core.model import ExternalRef, System
from shared.core.platforms.hubspot import HubSpotWebhookBatch, HubSpotWebhookEvent
from shared.core.signatures import (
    HUBSPOT_SIGNATURE_V3_HEADER,
    HUBSPOT_TIMESTAMP_HEADER,
    NETSUITE_CALLOUT_SIGNATURE_HEADER,
    NETSUITE_CALLOUT_TIMESTAMP_HEADER,
    SHOPIFY_HMAC_HEADER,
    Verification,
    verify_hubspot_v3,
    verify_netsuite_callout,
    verify_shopify_webhook,
)

PRODUCER = "ingest"
SHOPIFY_RESOURCES = {"customers": "customers", "products": "products", "orders": "orders"}
NETSUITE_RECORD_TYPES = frozenset({"customer", "inventoryItem", "salesOrder"})
NETSUITE_CALLOUT_ID_HEADER = "x-ns-callout-id"
_KEPT_HEADERS = (
    "x-shopify-topic",
    "x-shopify-shop-domain",
    "x-shopify-api-version",
    "x-shopify-webhook-id",
    "x-shopify-event-id",
    "x-shopify-triggered-at",
    "x-hubspot-request-timestamp",
    "x-ns-callout-timestamp",
    "x-ns-callout-id",
    "user-agent",
)


class RejectReason(StrEnum):
    """Why a delivery was refused; the label of the rejection metric."""

    SIGNATURE_MISSING = "signature_missing"
    SIGNATURE_MALFORMED = "signature_malformed"
    SIGNATURE_STALE = "signature_stale"
    SIGNATURE_MISMATCH = "signature_mismatch"
    NOT_JSON = "not_json"
    INVALID_PAYLOAD = "invalid_payload"
    MISSING_HEADER = "missing_header"
    UNKNOWN_TOPIC = "unknown_topic"
    TOO_LARGE = "too_large"
    WRONG_CONTENT_TYPE = "wrong_content_type"


_STATUS = {
    RejectReason.SIGNATURE_MISSING: 401,
    RejectReason.SIGNATURE_MALFORMED: 401,
    RejectReason.SIGNATURE_STALE: 401,
    RejectReason.SIGNATURE_MISMATCH: 401,
    RejectReason.NOT_JSON: 400,
    RejectReason.INVALID_PAYLOAD: 400,
    RejectReason.MISSING_HEADER: 400,
    RejectReason.UNKNOWN_TOPIC: 400,
    RejectReason.TOO_LARGE: 413,
    RejectReason.WRONG_CONTENT_TYPE: 415,
}


@dataclass(frozen=True)
class Rejected:
    """A refused delivery: the HTTP status to answer and a message safe to show the sender."""

    reason: RejectReason
    message: str

    @property
    def status(self) -> int:
        return _STATUS[self.reason]


@dataclass(frozen=True)
class Accepted:
    """A verified delivery, as one raw notification per platform event."""

    notifications: list[RawNotificationReceived] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    """One webhook request as received: raw body, lower-cased headers, the URI the sender signed."""

    body: bytes
    headers: dict[str, str]
    method: str
    uri: str
    received_at: datetime


def _signature_rejection(verification: Verification) -> Rejected | None:
    if verification.ok or verification.failure is None:
        return None
    return Rejected(RejectReason(f"signature_{verification.failure.value}"), "signature verification failed")


def _parse_json(body: bytes) -> object | Rejected:
    try:
        parsed: object = json.loads(body)
    except ValueError:
        return Rejected(RejectReason.NOT_JSON, "body is not valid JSON")
    return parsed


def _kept_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in _KEPT_HEADERS if name in headers}


def _notification(
    delivery: Delivery, *, system: System, topic: str, delivery_id: str, index: int, body: object,
    ref: ExternalRef | None, event_id: str | None = None,
) -> RawNotificationReceived:  # fmt: skip
    return RawNotificationReceived(
        **first_in_chain(
            producer=PRODUCER,
            produced_at=delivery.received_at,
            message_id=raw_notification_id(system, delivery_id, index),
        ),
        system=system,
        topic=topic,
        delivery_id=delivery_id,
        event_id=event_id,
        event_index=index,
        received_at=delivery.received_at,
        headers=_kept_headers(delivery.headers),
        body=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        ref=ref,
    )


def accept_hubspot(delivery: Delivery, *, client_secret: str) -> Accepted | Rejected:
    """Verify signature v3 over method + URI + body + timestamp, then one notification per event.

    Each event's delivery id is HubSpot's dedupe key ``portalId:subscriptionId:eventId``, so a
    retried or re-batched event gets the same message id downstream.
    """
    rejection = _signature_rejection(
        verify_hubspot_v3(
            client_secret,
            delivery.method,
            delivery.uri,
            delivery.body,
            signature=delivery.headers.get(HUBSPOT_SIGNATURE_V3_HEADER.lower()),
            timestamp=delivery.headers.get(HUBSPOT_TIMESTAMP_HEADER.lower()),
            now=delivery.received_at,
        )
    )
    if rejection is not None:
        return rejection
    payload = _parse_json(delivery.body)
    if isinstance(payload, Rejected):
        return payload
    if not isinstance(payload, list) or not payload:
        return Rejected(
            RejectReason.INVALID_PAYLOAD, "a HubSpot delivery is a non-empty JSON array of events"
        )
    try:
        events = HubSpotWebhookBatch.model_validate(payload).root
    except ValidationError as exc:
        return Rejected(
            RejectReason.INVALID_PAYLOAD, f"not a HubSpot event batch: {exc.error_count()} error(s)"
        )
    return Accepted(
        [_hubspot_notification(delivery, event, raw) for event, raw in zip(events, payload, strict=True)]
    )


def _hubspot_notification(
    delivery: Delivery, event: HubSpotWebhookEvent, raw: object
) -> RawNotificationReceived:
    object_type = event.crm_object_type
    ref = None
    if object_type is not None and event.object_id is not None:
        ref = ExternalRef(system=System.HUBSPOT, object_type=object_type, external_id=str(event.object_id))
    return _notification(
        delivery, system=System.HUBSPOT, topic=event.subscription_type, delivery_id=event.dedupe_key(),
        index=0, body=raw, ref=ref, event_id=str(event.event_id),
    )  # fmt: skip


def accept_shopify(delivery: Delivery, *, api_secrets: list[str]) -> Accepted | Rejected:
    """Verify the HMAC of the raw body (any current or previous secret), then one notification.

    The delivery id is ``X-Shopify-Webhook-Id``, unchanged across Shopify's retries.
    """
    headers = delivery.headers
    rejection = _signature_rejection(
        verify_shopify_webhook(api_secrets, delivery.body, headers.get(SHOPIFY_HMAC_HEADER.lower()))
    )
    if rejection is not None:
        return rejection
    missing = [name for name in ("x-shopify-topic", "x-shopify-webhook-id") if not headers.get(name)]
    if missing:
        return Rejected(RejectReason.MISSING_HEADER, f"missing header(s): {', '.join(missing)}")
    topic = headers["x-shopify-topic"]
    resource = SHOPIFY_RESOURCES.get(topic.partition("/")[0])
    if resource is None:
        return Rejected(RejectReason.UNKNOWN_TOPIC, f"unsupported Shopify topic {topic!r}")
    payload = _parse_json(delivery.body)
    if isinstance(payload, Rejected):
        return payload
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int | str):
        return Rejected(
            RejectReason.INVALID_PAYLOAD, "a Shopify webhook body is a resource object with an id"
        )
    ref = ExternalRef(system=System.SHOPIFY, object_type=resource, external_id=str(payload["id"]))
    return Accepted(
        [
            _notification(
                delivery, system=System.SHOPIFY, topic=topic, delivery_id=headers["x-shopify-webhook-id"],
                index=0, body=payload, ref=ref, event_id=headers.get("x-shopify-event-id"),
            )
        ]
    )  # fmt: skip


def accept_netsuite(delivery: Delivery, *, callout_secret: str) -> Accepted | Rejected:
    """Verify the SuiteScript callout's HMAC over ``timestamp + "." + body``, then one notification."""
    headers = delivery.headers
    rejection = _signature_rejection(
        verify_netsuite_callout(
            callout_secret,
            delivery.body,
            signature=headers.get(NETSUITE_CALLOUT_SIGNATURE_HEADER.lower()),
            timestamp=headers.get(NETSUITE_CALLOUT_TIMESTAMP_HEADER.lower()),
            now=delivery.received_at,
        )
    )
    if rejection is not None:
        return rejection
    payload = _parse_json(delivery.body)
    if isinstance(payload, Rejected):
        return payload
    if not isinstance(payload, dict) or not {"recordType", "id", "type"} <= payload.keys():
        return Rejected(RejectReason.INVALID_PAYLOAD, "a callout body has recordType, id and type")
    if payload["recordType"] not in NETSUITE_RECORD_TYPES:
        return Rejected(
            RejectReason.UNKNOWN_TOPIC, f"unsupported NetSuite record type {payload['recordType']!r}"
        )
    ref = ExternalRef(
        system=System.NETSUITE, object_type=str(payload["recordType"]), external_id=str(payload["id"])
    )
    delivery_id = (
        headers.get(NETSUITE_CALLOUT_ID_HEADER)
        or f"{ref.key}:{headers[NETSUITE_CALLOUT_TIMESTAMP_HEADER.lower()]}"
    )
    return Accepted(
        [
            _notification(
                delivery, system=System.NETSUITE, topic=f"{payload['recordType']}.{payload['type']}",
                delivery_id=delivery_id, index=0, body=payload, ref=ref,
            )
        ]
    )  # fmt: skip
