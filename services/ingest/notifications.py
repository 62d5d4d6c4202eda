"""What one raw webhook notification means: records to read, observations and deletions it carries.

Pure decisions, no I/O. HubSpot's notifications are thin (an id and maybe one property), so they
become :class:`Fetch` requests that the hydrator serves with batch reads; a Shopify webhook carries
the whole resource, so it becomes observations directly; a NetSuite callout is read again (its
record is not guaranteed to be the REST shape, sublists expanded, that polls and refreshes publish).
Deletions become ``RecordDeleted`` at once. Events about object types Concord does not reconcile
(HubSpot companies, tickets...) mean nothing and are ignored.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from services.ingest.observations import Provenance, delete, observe
from shared.core.errors import InvalidInput
from shared.core.events import RawNotificationReceived, RecordDeleted, RecordObserved
from shared.core.model import EntityType, ExternalRef, Surface, System
from shared.core.platforms import OBJECT_TYPES, parse_record
from shared.core.platforms.hubspot import HubSpotWebhookEvent
from shared.core.platforms.shopify import ShopifyProduct, explode_product

_HUBSPOT_DELETIONS = frozenset({"deletion", "privacyDeletion"})
_NETSUITE_DELETIONS = frozenset({"delete"})
_READABLE = {(system, object_type): entity for (system, entity), object_type in OBJECT_TYPES.items()}
Observation = RecordObserved | RecordDeleted


@dataclass(frozen=True)
class Fetch:
    """Read ``ref`` now and publish what it holds, as caused by ``cause``."""

    ref: ExternalRef
    entity_type: EntityType
    cause: RawNotificationReceived
    platform_event_id: str | None


Meaning = Fetch | RecordObserved | RecordDeleted


def interpret(raw: RawNotificationReceived, *, now: datetime) -> list[Meaning]:
    """The meanings of one notification, in the order they must be published.

    Raises ``InvalidInput`` for a notification that cannot be understood (a poison message).
    """
    if raw.system is System.HUBSPOT:
        return _hubspot(raw, now)
    if raw.system is System.SHOPIFY:
        return _shopify(raw, now)
    return _netsuite(raw, now)


def _body(raw: RawNotificationReceived) -> dict[str, object]:
    parsed: dict[str, object] = json.loads(raw.body)  # the message validated it is one JSON object
    return parsed


def _webhook(raw: RawNotificationReceived, now: datetime, event_id: str | None) -> Provenance:
    return Provenance(surface=Surface.WEBHOOK, observed_at=now, cause=raw, platform_event_id=event_id)


def _hubspot(raw: RawNotificationReceived, now: datetime) -> list[Meaning]:
    try:
        event = HubSpotWebhookEvent.model_validate(_body(raw))
    except ValidationError as exc:
        raise InvalidInput(f"not a HubSpot webhook event: {exc.error_count()} error(s)") from None
    object_type = event.crm_object_type
    entity = _READABLE.get((System.HUBSPOT, object_type or ""))
    if object_type is None or entity is None:
        return []
    provenance = _webhook(raw, now, raw.delivery_id)

    def ref(object_id: int) -> ExternalRef:
        return ExternalRef(system=System.HUBSPOT, object_type=object_type, external_id=str(object_id))

    if event.action in _HUBSPOT_DELETIONS and event.object_id is not None:
        return [delete(ref(event.object_id), event.occurred_at_utc, provenance)]
    if event.action == "merge":
        survivor_id = _merge_survivor(event)
        merged = [
            delete(ref(merged_id), event.occurred_at_utc, provenance, merged_into=ref(survivor_id))
            for merged_id in event.merged_object_ids or []
            if merged_id != survivor_id
        ]
        return [*merged, Fetch(ref(survivor_id), entity, raw, raw.delivery_id)]
    target = event.object_id if event.object_id is not None else event.from_object_id
    if target is None:
        raise InvalidInput(f"HubSpot {event.subscription_type} event names no record")
    return [Fetch(ref(target), entity, raw, raw.delivery_id)]


def _merge_survivor(event: HubSpotWebhookEvent) -> int:
    """The record a merge kept: the new record if HubSpot made one, else the primary."""
    survivor = event.new_object_id or event.primary_object_id or event.object_id
    if survivor is None:
        raise InvalidInput("HubSpot merge event names no surviving record")
    return survivor


def _shopify(raw: RawNotificationReceived, now: datetime) -> list[Meaning]:
    if raw.ref is None:
        raise InvalidInput("a Shopify notification without the record it is about")
    # A Shopify webhook carries the record as it was when the webhook triggered, which can be seconds
    # (or, after retries, hours) before delivery; and updated_at has whole seconds. So the payload is
    # dated by its trigger time: a poll that read the same version later in that second still ranks
    # above it, rather than a late delivery of an earlier update replacing what the poll read.
    provenance = _webhook(raw, min(now, _shopify_triggered_at(raw)), raw.event_id or raw.delivery_id)
    if raw.topic.endswith("/delete"):
        return [delete(raw.ref, _shopify_triggered_at(raw), provenance)]
    record = parse_record(System.SHOPIFY, raw.ref.object_type, _body(raw))
    if isinstance(record, ShopifyProduct):
        return [
            observe(System.SHOPIFY, "variants", variant, provenance) for variant in explode_product(record)
        ]
    return [observe(System.SHOPIFY, raw.ref.object_type, record, provenance)]


def _shopify_triggered_at(raw: RawNotificationReceived) -> datetime:
    header = raw.headers.get("x-shopify-triggered-at")
    if header is None:
        return raw.received_at
    # Shopify writes nanoseconds; datetime keeps microseconds.
    head, _, fraction = header.rstrip("Z").partition(".")
    try:
        return datetime.fromisoformat(f"{head}.{(fraction or '0')[:6]:0<6}+00:00")
    except ValueError:
        return raw.received_at


def _netsuite(raw: RawNotificationReceived, now: datetime) -> list[Meaning]:
    if raw.ref is None:
        raise InvalidInput("a NetSuite callout without the record it is about")
    entity = _READABLE.get((System.NETSUITE, raw.ref.object_type))
    if entity is None:
        return []
    callout_type = str(_body(raw).get("type", ""))
    if callout_type in _NETSUITE_DELETIONS:
        return [delete(raw.ref, raw.received_at, _webhook(raw, now, raw.delivery_id))]
    return [Fetch(raw.ref, entity, raw, raw.delivery_id)]
