"""HubSpot wire models: CRM objects, collection pages and webhook deliveries."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.core.platforms.hubspot import (
    HubSpotContact,
    HubSpotDeal,
    HubSpotPage,
    HubSpotWebhookBatch,
    HubSpotWebhookEvent,
)
from tests.unit.core.platforms.fixtures import load, load_any


def test_property_values_are_strings_and_empty_reads_as_absent() -> None:
    payload = load("hubspot.contacts.jane")
    payload["properties"] = {**payload["properties"], "phone": "", "mobilephone": None}  # type: ignore[dict-item]
    contact = HubSpotContact.model_validate(payload)
    assert contact.prop("email") == "jane.doe@acme.example"
    assert contact.prop("phone") is None
    assert contact.prop("mobilephone") is None
    assert contact.prop("never_set") is None


def test_numeric_id_is_stringified() -> None:
    contact = HubSpotContact.model_validate({**load("hubspot.contacts.jane"), "id": 51})
    assert contact.id == "51"


def test_deal_associations_list_ids_by_object_type() -> None:
    deal = HubSpotDeal.model_validate(load("hubspot.deals.order1001"))
    assert deal.associated_ids("contacts") == ["51"]
    assert deal.associated_ids("companies") == ["31337"]
    assert deal.associated_ids("line_items") == []


def test_archived_object_reports_deleted() -> None:
    payload = {**load("hubspot.contacts.jane"), "archived": True, "archivedAt": "2024-06-11T00:00:00.000Z"}
    assert HubSpotContact.model_validate(payload).is_deleted()


def test_search_page_gives_next_cursor_and_total() -> None:
    page = HubSpotPage[HubSpotContact].model_validate(load("hubspot.search.contacts"))
    assert page.total == 2
    assert page.next_after() == "2"
    assert page.results[0].prop("lastname") == "Doe"


def test_last_page_has_no_cursor() -> None:
    payload = {key: value for key, value in load("hubspot.search.contacts").items() if key != "paging"}
    assert HubSpotPage[HubSpotContact].model_validate(payload).next_after() is None


def test_webhook_batch_is_an_array_of_events() -> None:
    events = HubSpotWebhookBatch.model_validate(load_any("hubspot.webhook.batch")).root
    assert [event.event_id for event in events] == [1, 2, 3, 4, 5]


def test_webhook_batch_rejects_a_single_object() -> None:
    with pytest.raises(ValidationError):
        HubSpotWebhookBatch.model_validate(load_any("hubspot.webhook.batch")[0])  # type: ignore[index]


def _events() -> list[HubSpotWebhookEvent]:
    return HubSpotWebhookBatch.model_validate(load_any("hubspot.webhook.batch")).root


def test_event_type_alias_is_read_and_written_as_subscription_type() -> None:
    creation = _events()[1]
    assert creation.subscription_type == "deal.creation"
    wire = creation.to_wire()
    assert wire["subscriptionType"] == "deal.creation"
    assert "eventType" not in wire


def test_property_change_event_fields() -> None:
    change = _events()[0]
    assert (change.object_id, change.property_name, change.property_value) == (
        51,
        "email",
        "jane.doe@acme.example",
    )
    assert change.crm_object_type == "contacts"
    assert change.action == "propertyChange"
    assert change.occurred_at_utc == datetime(2024, 6, 10, 15, 59, 56, 4000, tzinfo=UTC)
    assert change.dedupe_key() == "62515:12345:1"


def test_merge_and_association_events_keep_their_fields() -> None:
    merge, association = _events()[2], _events()[3]
    assert merge.merged_object_ids == [52]
    assert merge.new_object_id == 51
    assert (association.from_object_id, association.to_object_id) == (9001234, 51)
    assert association.is_primary_association is True


def test_generic_object_event_resolves_its_object_type_id() -> None:
    assert _events()[4].crm_object_type == "products"


def test_event_of_unknown_object_kind_has_no_crm_type() -> None:
    event = HubSpotWebhookEvent.model_validate(
        {"eventId": 9, "portalId": 1, "occurredAt": 0, "subscriptionType": "conversation.creation"}
    )
    assert event.crm_object_type is None
