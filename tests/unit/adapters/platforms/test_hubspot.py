"""HubSpot connector over recorded responses: paths, auth, search paging and re-anchoring, writes."""

import copy
from datetime import UTC, datetime

import pytest

from shared.adapters.budget import UnlimitedBudget
from shared.adapters.platforms.base import ChangeCursor
from shared.adapters.platforms.hubspot import HubSpotConnector
from shared.core.errors import Invalid, MalformedResponse, NotFound
from shared.core.model import EntityType
from shared.core.platforms.hubspot import HubSpotContact, HubSpotDeal
from tests.unit.adapters.platforms.support import Recorder, hubspot_settings, recorded, reply

SINCE = datetime(2024, 6, 10, tzinfo=UTC)


def _connector(recorder: Recorder, **settings: object) -> HubSpotConnector:
    return HubSpotConnector(hubspot_settings(**settings), recorder.client(), UnlimitedBudget())


def _contact(contact_id: str, modified: str) -> dict[str, object]:
    contact = copy.deepcopy(recorded("hubspot.contacts.jane.json"))
    assert isinstance(contact, dict)
    contact["id"] = contact_id
    contact["updatedAt"] = modified
    contact["properties"]["lastmodifieddate"] = modified
    return contact


async def test_read_sends_the_bearer_token_and_parses_a_contact() -> None:
    recorder = Recorder(reply(200, recorded("hubspot.contacts.jane.json")))
    record = await _connector(recorder).read(EntityType.CUSTOMER, "51")
    request = recorder.requests[0]
    assert request.headers["Authorization"] == "Bearer pat-test"
    assert request.url.path == "/crm/v3/objects/contacts/51"
    assert "lifecyclestage" in request.url.params["properties"].split(",")
    assert isinstance(record, HubSpotContact)
    assert record.prop("email") == "jane.doe@acme.example"


async def test_read_of_a_deal_asks_for_its_associations() -> None:
    recorder = Recorder(reply(200, recorded("hubspot.deals.order1001.json")))
    record = await _connector(recorder).read(EntityType.ORDER, "9001234")
    assert recorder.requests[0].url.params["associations"] == "contacts,line_items"
    assert isinstance(record, HubSpotDeal)


async def test_read_of_a_missing_record_is_not_found() -> None:
    recorder = Recorder(
        reply(404, {"status": "error", "message": "Object not found", "category": "OBJECT_NOT_FOUND"})
    )
    with pytest.raises(NotFound) as raised:
        await _connector(recorder).read(EntityType.CUSTOMER, "999")
    assert raised.value.details == "OBJECT_NOT_FOUND: Object not found"


async def test_a_record_missing_required_fields_is_malformed_not_half_filled() -> None:
    recorder = Recorder(reply(200, {"id": "51", "properties": {}}))
    with pytest.raises(MalformedResponse):
        await _connector(recorder).read(EntityType.CUSTOMER, "51")


async def test_batch_read_posts_ids_in_chunks_and_returns_what_exists() -> None:
    first = {"status": "COMPLETE", "results": [_contact("1", "2024-06-10T00:00:00.000Z")]}
    second = {
        "status": "COMPLETE",
        "results": [],
        "errors": [{"status": "error", "category": "OBJECT_NOT_FOUND"}],
    }
    recorder = Recorder(reply(200, first), reply(207, second))
    records = await _connector(recorder, batch_size=2).read_many(EntityType.CUSTOMER, ["1", "2", "3"])
    assert [record.external_id() for record in records] == ["1"]
    assert recorder.body(0)["inputs"] == [{"id": "1"}, {"id": "2"}]  # type: ignore[index]
    assert recorder.body(1)["inputs"] == [{"id": "3"}]  # type: ignore[index]


async def test_search_filters_on_the_modified_property_and_follows_after() -> None:
    page = {
        "total": 3,
        "results": [_contact("1", "2024-06-10T01:00:00.000Z")],
        "paging": {"next": {"after": "1"}},
    }
    recorder = Recorder(reply(200, page))
    result = await _connector(recorder).changed_since(EntityType.CUSTOMER, ChangeCursor(since=SINCE))
    body = recorder.body(0)
    assert body["filterGroups"][0]["filters"][0] == {  # type: ignore[index]
        "propertyName": "lastmodifieddate",
        "operator": "GTE",
        "value": str(int(SINCE.timestamp() * 1000)),
    }
    assert body["sorts"] == [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]  # type: ignore[index]
    assert result.next_cursor == ChangeCursor(since=SINCE, page="1")
    assert result.high_water == datetime(2024, 6, 10, 1, tzinfo=UTC)


async def test_products_and_deals_search_on_hs_lastmodifieddate() -> None:
    recorder = Recorder(reply(200, {"total": 0, "results": []}))
    page = await _connector(recorder).changed_since(EntityType.PRODUCT, ChangeCursor(since=SINCE))
    assert recorder.body(0)["sorts"][0]["propertyName"] == "hs_lastmodifieddate"  # type: ignore[index]
    assert page.next_cursor is None
    assert page.records == ()


async def test_search_re_anchors_before_the_10000_result_ceiling() -> None:
    page = {
        "total": 20000,
        "results": [_contact("7", "2024-06-11T00:00:00.000Z"), _contact("8", "2024-06-11T05:00:00.000Z")],
        "paging": {"next": {"after": "9900"}},
    }
    recorder = Recorder(reply(200, page))
    cursor = ChangeCursor(since=SINCE, page="9700")
    result = await _connector(recorder).changed_since(EntityType.CUSTOMER, cursor)
    assert recorder.body(0)["after"] == "9700"  # type: ignore[index]
    assert result.next_cursor == ChangeCursor(since=datetime(2024, 6, 11, 5, tzinfo=UTC), page=None)


async def test_re_anchoring_that_cannot_advance_is_an_error_not_a_loop() -> None:
    page = {
        "total": 20000,
        "results": [_contact("7", "2024-06-10T00:00:00.000Z")],
        "paging": {"next": {"after": "9900"}},
    }
    with pytest.raises(Invalid):
        await _connector(Recorder(reply(200, page))).changed_since(
            EntityType.CUSTOMER, ChangeCursor(since=SINCE)
        )


async def test_update_patches_properties_with_the_provenance_tag() -> None:
    recorder = Recorder(
        reply(200, recorded("hubspot.contacts.jane.json"), {"X-HubSpot-Correlation-Id": "corr-1"})
    )
    connector = _connector(recorder, provenance_property="concord_sync_tag")
    result = await connector.update(
        EntityType.CUSTOMER, "51", {"properties": {"phone": "+1"}}, tag="concord-t1"
    )
    assert recorder.requests[0].method == "PATCH"
    assert recorder.body(0) == {"properties": {"phone": "+1", "concord_sync_tag": "concord-t1"}}
    assert result.receipt.carried_by == "property:concord_sync_tag"
    assert result.receipt.request_id == "corr-1"
    assert result.receipt.ref.key == "hubspot:contacts:51"
    assert result.receipt.source_version == result.record.source_version()


async def test_create_posts_and_keeps_the_tag_on_concords_side_by_default() -> None:
    recorder = Recorder(reply(201, recorded("hubspot.products.tshirt.json")))
    result = await _connector(recorder).create(
        EntityType.PRODUCT, {"properties": {"name": "T"}}, tag="concord-t2"
    )
    assert recorder.requests[0].url.path == "/crm/v3/objects/products"
    assert recorder.body(0) == {"properties": {"name": "T"}}
    assert result.receipt.carried_by == "concord-side"
    assert result.receipt.request_id == "concord-t2"
