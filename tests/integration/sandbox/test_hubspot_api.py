"""The sandbox answers like HubSpot's CRM v3 objects API: auth, shapes, paging, search limits, rate limits."""

from __future__ import annotations

import json
import re

from services.sandbox.store import SandboxStore
from shared.core.model import System
from shared.core.platforms import parse_record
from tests.integration.sandbox.conftest import Sandbox, SandboxFactory
from tests.integration.sandbox.platform_clients import HUBSPOT

CONTACTS = "/crm/v3/objects/contacts"


async def _contacts(store: SandboxStore, count: int) -> list[str]:
    ids = []
    for n in range(count):
        properties = {"email": f"c{n}@acme.example", "firstname": f"C{n}", "phone": f"+1613555{n:04d}"}
        created = await store.create(
            System.HUBSPOT, "contacts", {"properties": properties}, origin="scenario"
        )
        ids.append(str(created["id"]))
    return ids


async def test_missing_or_wrong_token_gets_hubspots_401_body(sandbox: Sandbox) -> None:
    missing = await sandbox.client.get(f"{CONTACTS}/1")
    wrong = await sandbox.client.get(f"{CONTACTS}/1", headers={"Authorization": "Bearer nope"})

    for response in (missing, wrong):
        assert response.status_code == 401
        body = response.json()
        assert body["status"] == "error"
        assert body["category"] == "INVALID_AUTHENTICATION"
        assert body["correlationId"]
    assert "Authentication credentials not found" in missing.json()["message"]


async def test_get_returns_default_properties_or_the_requested_ones(sandbox: Sandbox) -> None:
    [contact_id] = await _contacts(sandbox.parts.store, 1)

    default = (await sandbox.client.get(f"{CONTACTS}/{contact_id}", headers=HUBSPOT)).json()
    chosen = await sandbox.client.get(
        f"{CONTACTS}/{contact_id}", params={"properties": "phone,company"}, headers=HUBSPOT
    )

    assert set(default["properties"]) == {
        "createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"
    }  # fmt: skip
    assert default["properties"]["lastname"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", default["updatedAt"])
    assert chosen.json()["properties"]["phone"] == "+16135550000"
    assert chosen.json()["properties"]["company"] is None
    assert "email" not in chosen.json()["properties"]
    assert chosen.headers["X-HubSpot-RateLimit-Max"] == "190"
    parse_record(System.HUBSPOT, "contacts", chosen.json())


async def test_get_includes_requested_associations(sandbox: Sandbox) -> None:
    deal = await sandbox.parts.store.create(
        System.HUBSPOT,
        "deals",
        {
            "properties": {"dealname": "Order #1001", "amount": "64.78"},
            "associations": {"contacts": {"results": [{"id": "101", "type": "deal_to_contact"}]}},
        },
    )

    plain = (await sandbox.client.get(f"/crm/v3/objects/deals/{deal['id']}", headers=HUBSPOT)).json()
    linked = await sandbox.client.get(
        f"/crm/v3/objects/deals/{deal['id']}", params={"associations": "contacts,companies"}, headers=HUBSPOT
    )

    assert "associations" not in plain
    assert linked.json()["associations"] == {
        "contacts": {"results": [{"id": "101", "type": "deal_to_contact"}]}
    }
    assert parse_record(System.HUBSPOT, "deals", linked.json()).associated_ids("contacts") == ["101"]  # type: ignore[attr-defined]


async def test_unknown_id_is_a_404_object_not_found(sandbox: Sandbox) -> None:
    response = await sandbox.client.get(f"{CONTACTS}/999999", headers=HUBSPOT)

    assert response.status_code == 404
    assert response.json()["category"] == "OBJECT_NOT_FOUND"
    assert response.json()["context"] == {"id": ["999999"]}


async def test_list_pages_through_every_record_with_after(sandbox: Sandbox) -> None:
    ids = await _contacts(sandbox.parts.store, 5)
    seen: list[str] = []
    params: dict[str, str] = {"limit": "2"}
    pages = 0
    while True:
        body = (await sandbox.client.get(CONTACTS, params=params, headers=HUBSPOT)).json()
        seen += [result["id"] for result in body["results"]]
        pages += 1
        if "paging" not in body:
            break
        params["after"] = body["paging"]["next"]["after"]

    assert seen == ids
    assert pages == 3


async def test_search_filters_by_last_modified_and_pages_by_offset(sandbox: Sandbox) -> None:
    ids = await _contacts(sandbox.parts.store, 5)
    third = await sandbox.parts.store.get(System.HUBSPOT, "contacts", ids[2])
    assert third is not None
    since = str(third["updatedAt"])
    request = {
        "filterGroups": [
            {"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": since}]}
        ],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": ["email", "lastmodifieddate"],
        "limit": 2,
    }
    first = (await sandbox.client.post(f"{CONTACTS}/search", json=request, headers=HUBSPOT)).json()
    after = first["paging"]["next"]["after"]
    second = await sandbox.client.post(
        f"{CONTACTS}/search", json={**request, "after": after}, headers=HUBSPOT
    )

    assert first["total"] == 3
    assert after == "2"
    assert [r["id"] for r in first["results"] + second.json()["results"]] == ids[2:]
    assert "paging" not in second.json()
    assert not any(name.startswith("X-HubSpot-RateLimit") for name in second.headers)
    for result in first["results"]:
        parse_record(System.HUBSPOT, "contacts", result)


async def test_search_accepts_epoch_millisecond_values_and_descending_sort(sandbox: Sandbox) -> None:
    ids = await _contacts(sandbox.parts.store, 3)
    request = {
        "filterGroups": [
            {"filters": [{"propertyName": "lastmodifieddate", "operator": "LT", "value": "4102444800000"}]}
        ],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}],
    }

    body = (await sandbox.client.post(f"{CONTACTS}/search", json=request, headers=HUBSPOT)).json()

    assert [r["id"] for r in body["results"]] == list(reversed(ids))


async def test_search_refuses_paging_past_ten_thousand_results(sandbox: Sandbox) -> None:
    response = await sandbox.client.post(f"{CONTACTS}/search", json={"after": "10000"}, headers=HUBSPOT)

    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"


async def test_search_refuses_oversized_bodies_and_pages(sandbox: Sandbox) -> None:
    too_long = json.dumps({"query": "x" * 3000})
    oversized = await sandbox.client.post(
        f"{CONTACTS}/search", content=too_long, headers={**HUBSPOT, "Content-Type": "application/json"}
    )
    too_many = await sandbox.client.post(f"{CONTACTS}/search", json={"limit": 201}, headers=HUBSPOT)

    assert oversized.status_code == 400
    assert too_many.status_code == 400


async def test_batch_read_reports_missing_ids_with_207(sandbox: Sandbox) -> None:
    ids = await _contacts(sandbox.parts.store, 2)
    body = {"inputs": [{"id": ids[0]}, {"id": "424242"}, {"id": ids[1]}], "properties": ["email"]}

    response = await sandbox.client.post(f"{CONTACTS}/batch/read", json=body, headers=HUBSPOT)

    assert response.status_code == 207
    assert [r["id"] for r in response.json()["results"]] == ids
    assert response.json()["errors"][0]["context"] == {"ids": ["424242"]}
    too_many = {"inputs": [{"id": str(n)} for n in range(101)]}
    assert (
        await sandbox.client.post(f"{CONTACTS}/batch/read", json=too_many, headers=HUBSPOT)
    ).status_code == 400


async def test_patch_stores_strings_returns_the_full_object_and_counts_the_write(sandbox: Sandbox) -> None:
    [contact_id] = await _contacts(sandbox.parts.store, 1)

    response = await sandbox.client.patch(
        f"{CONTACTS}/{contact_id}",
        json={"properties": {"phone": "+16135550100", "hs_lead_score": 12}},
        headers=HUBSPOT,
    )

    assert response.status_code == 200
    properties = response.json()["properties"]
    assert properties["phone"] == "+16135550100"
    assert properties["hs_lead_score"] == "12"
    assert properties["email"] == "c0@acme.example"
    assert properties["lastmodifieddate"] == response.json()["updatedAt"]
    assert await sandbox.parts.store.write_counts() == {f"hubspot:contacts:{contact_id}": 1}


async def test_patch_with_invalid_values_is_a_validation_error(sandbox: Sandbox) -> None:
    [contact_id] = await _contacts(sandbox.parts.store, 1)

    response = await sandbox.client.patch(
        f"{CONTACTS}/{contact_id}", json={"properties": {"email": "jane@"}}, headers=HUBSPOT
    )

    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert response.json()["errors"][0]["code"] == "INVALID_EMAIL"
    assert await sandbox.parts.store.write_counts() == {}


async def test_create_returns_201_and_a_duplicate_contact_email_is_a_conflict(sandbox: Sandbox) -> None:
    body = {"properties": {"email": "new@acme.example", "firstname": "New"}}

    created = await sandbox.client.post(CONTACTS, json=body, headers=HUBSPOT)
    again = await sandbox.client.post(CONTACTS, json=body, headers=HUBSPOT)

    assert created.status_code == 201
    parse_record(System.HUBSPOT, "contacts", created.json())
    assert again.status_code == 409
    assert again.json()["message"] == f"Contact already exists. Existing ID: {created.json()['id']}"


async def test_burst_limit_answers_429_until_the_ten_second_window_frees(
    sandbox_factory: SandboxFactory,
) -> None:
    async with sandbox_factory(hubspot_burst_limit=3) as sandbox:
        statuses = [(await sandbox.client.get(CONTACTS, headers=HUBSPOT)).status_code for _ in range(3)]
        refused = await sandbox.client.get(CONTACTS, headers=HUBSPOT)
        sandbox.monotonic.advance(10.5)
        later = await sandbox.client.get(CONTACTS, headers=HUBSPOT)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["errorType"] == "RATE_LIMIT"
    assert refused.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    assert refused.headers["Retry-After"] == "10"
    assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert later.status_code == 200
    assert later.headers["X-HubSpot-RateLimit-Remaining"] == "2"


async def test_search_over_its_per_second_limit_is_refused_without_rate_headers(sandbox: Sandbox) -> None:
    statuses = [
        (await sandbox.client.post(f"{CONTACTS}/search", json={}, headers=HUBSPOT)).status_code
        for _ in range(6)
    ]
    refused = await sandbox.client.post(f"{CONTACTS}/search", json={}, headers=HUBSPOT)

    assert statuses == [200] * 5 + [429]
    assert refused.json()["policyName"] == "SECONDLY"
    assert "Retry-After" not in refused.headers
    assert "X-HubSpot-RateLimit-Max" not in refused.headers


async def test_daily_limit_is_reported_and_enforced(sandbox_factory: SandboxFactory) -> None:
    async with sandbox_factory(hubspot_daily_limit=2) as sandbox:
        first = await sandbox.client.get(CONTACTS, headers=HUBSPOT)
        await sandbox.client.get(CONTACTS, headers=HUBSPOT)
        refused = await sandbox.client.get(CONTACTS, headers=HUBSPOT)

    assert first.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "1"
    assert refused.status_code == 429
    assert refused.json()["policyName"] == "DAILY"
