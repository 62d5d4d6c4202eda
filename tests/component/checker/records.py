"""Realistic platform records (shaped like the recorded fixtures) and observations of them."""

import copy
from datetime import UTC, datetime, timedelta

from shared.core.events import RecordDeleted, RecordObserved, deletion_id, first_in_chain, observation_id
from shared.core.model import EntityType, ExternalRef, Surface, System
from tests.unit.core.platforms.fixtures import load

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OBJECT_TYPES = {System.HUBSPOT: "contacts", System.SHOPIFY: "customers", System.NETSUITE: "customer"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def hubspot_contact(record_id: str, *, email: str, first: str = "Jane", last: str = "Doe",
                    phone: str = "+16135550100", updated: datetime = T0) -> dict[str, object]:  # fmt: skip
    record = copy.deepcopy(load("hubspot.contacts.jane"))
    properties = record["properties"]
    assert isinstance(properties, dict)
    properties.update(email=email, firstname=first, lastname=last, phone=phone, hs_object_id=record_id,
                      lastmodifieddate=_iso(updated), lifecyclestage="lead", address=None, city=None,
                      state=None, zip=None, country=None)  # fmt: skip
    record.update(id=record_id, updatedAt=_iso(updated))
    return record


def shopify_customer(record_id: str, *, email: str, first: str = "Jane", last: str = "Doe",
                     phone: str = "+16135550100", updated: datetime = T0) -> dict[str, object]:  # fmt: skip
    record = copy.deepcopy(load("shopify.customers.jane"))
    record.update(id=int(record_id), email=email, first_name=first, last_name=last, phone=phone,
                  updated_at=updated.isoformat(), addresses=[], default_address=None)  # fmt: skip
    return record


def netsuite_customer(record_id: str, *, email: str, first: str = "Jane", last: str = "Doe",
                      phone: str = "+16135550100", updated: datetime = T0,
                      names: str | None = None) -> dict[str, object]:  # fmt: skip
    record = copy.deepcopy(load("netsuite.customer.107"))
    record.update(id=record_id, entityId=f"CUST-{record_id}", email=email, phone=phone,
                  lastModifiedDate=_iso(updated), externalId=names, isPerson=True, firstName=first,
                  lastName=last)  # fmt: skip
    record.pop("addressBook", None)
    return record


def shopify_order(record_id: str, *, email: str, updated: datetime = T0) -> dict[str, object]:
    record = copy.deepcopy(load("shopify.orders.1001"))
    customer = record["customer"]
    assert isinstance(customer, dict)
    customer["email"] = email
    record.update(id=int(record_id), email=email, updated_at=updated.isoformat())
    return record


def ref(system: System, record_id: str, object_type: str | None = None) -> ExternalRef:
    return ExternalRef(system=system, object_type=object_type or OBJECT_TYPES[system], external_id=record_id)


def observed(record_ref: ExternalRef, record: dict[str, object], *, updated: datetime,
             surface: Surface = Surface.WEBHOOK, entity_type: EntityType = EntityType.CUSTOMER,
             observed_at: datetime | None = None) -> RecordObserved:  # fmt: skip
    """An observation as ingest publishes it: natural message id per (record, version, surface)."""
    version = _iso(updated)
    seen = observed_at or updated + timedelta(seconds=2)
    message_id = observation_id(record_ref, surface, source_version=version, source_updated_at=updated)
    return RecordObserved(
        **first_in_chain(producer="ingest", produced_at=seen, message_id=message_id),
        ref=record_ref, entity_type=entity_type, source_version=version, source_updated_at=updated,
        observed_at=seen, surface=surface, record=record,  # type: ignore[arg-type]  # JSON fixture
    )  # fmt: skip


def deleted(
    record_ref: ExternalRef, *, at: datetime, entity_type: EntityType = EntityType.CUSTOMER
) -> RecordDeleted:
    return RecordDeleted(
        **first_in_chain(producer="ingest", produced_at=at, message_id=deletion_id(record_ref, deleted_at=at)),
        ref=record_ref, entity_type=entity_type, deleted_at=at, surface=Surface.WEBHOOK,
    )  # fmt: skip
