"""One realistic, valid example of every message type, built the way the services will build them."""

from datetime import UTC, datetime, timedelta

from shared.core.events import (
    AnyMessage,
    DiscrepancyChanged,
    DiscrepancyOpened,
    DiscrepancyResolved,
    EntityChanged,
    OneDirectionSync,
    RawNotificationReceived,
    RecordDeleted,
    RecordObserved,
    RecordWrite,
    RefreshRequested,
    SeenRecord,
    SyncCommand,
    SyncResult,
    caused_by,
    deletion_id,
    discrepancy_event_id,
    discrepancy_id_for,
    first_in_chain,
    observation_id,
    raw_notification_id,
    sync_result_id,
)
from shared.core.findings import (
    DiscrepancyKind,
    Finding,
    OwnerVerdict,
    PlatformValue,
    SyncDirection,
)
from shared.core.model import EntityId, EntityType, ExternalRef, Surface, System

T0 = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
ENTITY = EntityId("ent_0123456789abcdef0123456789abcdef")
HUBSPOT_REF = ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="51")
SHOPIFY_REF = ExternalRef(system=System.SHOPIFY, object_type="customers", external_id="7001")

HUBSPOT_EVENT_BODY = (
    '{"eventId": 1001, "subscriptionType": "contact.propertyChange", "objectId": 51,'
    ' "propertyName": "email", "propertyValue": "ada@example.com", "occurredAt": 1741082400000}'
)


def raw_notification() -> RawNotificationReceived:
    return RawNotificationReceived(
        **first_in_chain(
            producer="ingest", produced_at=T0, message_id=raw_notification_id(System.HUBSPOT, "d-1", 0)
        ),
        system=System.HUBSPOT,
        topic="contact.propertyChange",
        delivery_id="d-1",
        event_id="1001",
        event_index=0,
        received_at=T0,
        headers={"X-HubSpot-Signature-v3": "c2lnbmF0dXJl", "Content-Type": "application/json"},
        body=HUBSPOT_EVENT_BODY,
        ref=HUBSPOT_REF,
    )


def observation(cause: RawNotificationReceived | None = None) -> RecordObserved:
    raw = cause or raw_notification()
    at = T0 + timedelta(seconds=2)
    return RecordObserved(
        **caused_by(
            raw,
            producer="ingest",
            produced_at=at,
            message_id=observation_id(HUBSPOT_REF, Surface.WEBHOOK, platform_event_id="1001"),
        ),
        ref=HUBSPOT_REF,
        entity_type=EntityType.CUSTOMER,
        source_version="1741082400000",
        source_updated_at=T0,
        observed_at=at,
        surface=Surface.WEBHOOK,
        platform_event_id="1001",
        record={
            "id": "51",
            "properties": {"email": "ada@example.com", "firstname": "Ada"},
            "archived": False,
        },
    )


def deletion() -> RecordDeleted:
    return RecordDeleted(
        **first_in_chain(
            producer="ingest", produced_at=T0, message_id=deletion_id(SHOPIFY_REF, deleted_at=T0)
        ),
        ref=SHOPIFY_REF,
        entity_type=EntityType.CUSTOMER,
        deleted_at=T0,
        surface=Surface.POLL,
    )


def entity_changed() -> EntityChanged:
    seen = observation()
    return EntityChanged(
        **caused_by(seen, producer="checker", produced_at=T0 + timedelta(seconds=3)),
        entity_id=ENTITY,
        entity_type=EntityType.CUSTOMER,
        changed_refs=(HUBSPOT_REF,),
        changed_fields=("email",),
        cause=seen.message_id,
        surface=Surface.WEBHOOK,
    )


def refresh_requested() -> RefreshRequested:
    return RefreshRequested(
        **first_in_chain(producer="checker", produced_at=T0),
        refs=(HUBSPOT_REF, SHOPIFY_REF),
        reason="pulse",
        entity_id=ENTITY,
        dimension="customer.contact",
        requested_by="checker",
        surface=Surface.PULSE,
    )


def finding(kind: DiscrepancyKind = DiscrepancyKind.HARD_CONFLICT) -> Finding:
    return Finding(
        entity_id=ENTITY,
        entity_type=EntityType.CUSTOMER,
        dimension="customer.contact",
        check="customer_contact",
        kind=kind,
        fields=("email",),
        values=(
            PlatformValue(system=System.HUBSPOT, ref=HUBSPOT_REF, value="ada@example.com", confidence=0.9),
            PlatformValue(system=System.SHOPIFY, ref=SHOPIFY_REF, value="ada@old.example", confidence=0.8),
        ),
        verdict=OwnerVerdict(owner=System.HUBSPOT, strategy="owner_wins", policy="default@1:customer.email"),
        suggested_actions=(SyncDirection(source=System.HUBSPOT, target=System.SHOPIFY, fields=("email",)),),
        explanation="HubSpot changed the email at 10:00; Shopify still has the old one.",
        found_at=T0,
    )


DISCREPANCY = discrepancy_id_for(ENTITY, "customer.contact", T0)


def discrepancy_opened() -> DiscrepancyOpened:
    return DiscrepancyOpened(
        **caused_by(
            entity_changed(),
            producer="checker",
            produced_at=T0,
            message_id=discrepancy_event_id(DISCREPANCY, 1),
        ),
        discrepancy_id=DISCREPANCY,
        revision=1,
        opened_at=T0,
        finding=finding(DiscrepancyKind.SOFT_DRIFT),
    )


def discrepancy_changed() -> DiscrepancyChanged:
    return DiscrepancyChanged(
        **first_in_chain(producer="checker", produced_at=T0, message_id=discrepancy_event_id(DISCREPANCY, 2)),
        discrepancy_id=DISCREPANCY,
        revision=2,
        opened_at=T0,
        finding=finding(),
        previous_kind=DiscrepancyKind.SOFT_DRIFT,
    )


def discrepancy_resolved() -> DiscrepancyResolved:
    return DiscrepancyResolved(
        **first_in_chain(producer="checker", produced_at=T0, message_id=discrepancy_event_id(DISCREPANCY, 3)),
        discrepancy_id=DISCREPANCY,
        revision=3,
        opened_at=T0,
        last_finding=finding(),
        resolved_at=T0 + timedelta(minutes=5),
        resolution="synced",
        resolved_by="syncer",
        command_id="cmd-1",
    )


def sync_command() -> SyncCommand:
    return SyncCommand(
        **first_in_chain(producer="dashboard", produced_at=T0),
        command_id="cmd-1",
        idempotency_key=f"{DISCREPANCY}:2:one_direction",
        entity_id=ENTITY,
        entity_type=EntityType.CUSTOMER,
        dimension="customer.contact",
        discrepancy_id=DISCREPANCY,
        discrepancy_revision=2,
        action=OneDirectionSync(source=System.HUBSPOT, target=System.SHOPIFY, fields=("email",)),
        approved_by="operator:grace",
        approved_at=T0,
        reason="HubSpot owns the email",
        policy="default@1:customer.email",
        seen=(
            SeenRecord(ref=HUBSPOT_REF, source_version="1741082400000", values={"email": "ada@example.com"}),
            SeenRecord(ref=SHOPIFY_REF, source_version=None, values={"email": "ada@old.example"}),
        ),
    )


def sync_result() -> SyncResult:
    return SyncResult(
        **caused_by(
            sync_command(),
            producer="syncer",
            produced_at=T0,
            message_id=sync_result_id("cmd-1", 1, "applied"),
        ),
        command_id="cmd-1",
        entity_id=ENTITY,
        discrepancy_id=DISCREPANCY,
        outcome="applied",
        writes=(
            RecordWrite(
                ref=SHOPIFY_REF, before={"email": "ada@old.example"}, after={"email": "ada@example.com"}
            ),
        ),
        attempt=1,
        finished_at=T0 + timedelta(seconds=1),
    )


def every_message() -> list[AnyMessage]:
    """One example of every message type (kept complete by a test)."""
    return [
        raw_notification(),
        observation(),
        deletion(),
        entity_changed(),
        refresh_requested(),
        discrepancy_opened(),
        discrepancy_changed(),
        discrepancy_resolved(),
        sync_command(),
        sync_result(),
    ]
