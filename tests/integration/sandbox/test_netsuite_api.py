"""The sandbox answers like NetSuite's REST record API: TBA signatures, q filters, offset paging, concurrency."""

from __future__ import annotations

import asyncio

import httpx

from services.sandbox.faults import PlatformFaults
from services.sandbox.store import SandboxStore
from shared.core.model import System
from shared.core.platforms import parse_record
from tests.integration.sandbox.conftest import Sandbox, SandboxFactory
from tests.integration.sandbox.platform_clients import NETSUITE_PREFIX, netsuite_headers, netsuite_request

CUSTOMER = f"{NETSUITE_PREFIX}/customer"


async def _customers(store: SandboxStore, count: int) -> list[str]:
    ids = []
    for n in range(count):
        fields: dict[str, object] = {
            "companyName": f"Acme {n}",
            "email": f"c{n}@acme.example",
            "externalId": f"shopify:{n}",
        }
        created = await store.create(System.NETSUITE, "customer", fields, origin="scenario")
        ids.append(str(created["id"]))
    return ids


def _collection_url(sandbox: Sandbox, q: str, limit: int) -> httpx.URL:
    return sandbox.client.base_url.join(CUSTOMER).copy_merge_params({"q": q, "limit": limit})


async def test_bad_signature_or_no_header_gets_netsuites_401_body(sandbox: Sandbox) -> None:
    [customer_id] = await _customers(sandbox.parts.store, 1)

    unsigned = await sandbox.client.get(f"{CUSTOMER}/{customer_id}")
    wrong_secret = await netsuite_request(
        sandbox.client, "GET", f"{CUSTOMER}/{customer_id}", token_secret="stolen"
    )

    for response in (unsigned, wrong_secret):
        assert response.status_code == 401
        body = response.json()
        assert body["status"] == 401
        assert body["title"] == "Unauthorized"
        assert body["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"


async def test_a_replayed_nonce_is_refused(sandbox: Sandbox) -> None:
    [customer_id] = await _customers(sandbox.parts.store, 1)
    url = sandbox.client.base_url.join(f"{CUSTOMER}/{customer_id}")
    headers = netsuite_headers("GET", url)

    first = await sandbox.client.get(url, headers=headers)
    replay = await sandbox.client.get(url, headers=headers)

    assert first.status_code == 200
    assert replay.status_code == 401


async def test_get_returns_the_record_with_links_and_collapsed_sublists(sandbox: Sandbox) -> None:
    order = await sandbox.parts.store.create(
        System.NETSUITE,
        "salesOrder",
        {
            "entity": {"id": "107"},
            "total": 64.78,
            "item": {"items": [{"line": 1, "quantity": 2.0, "rate": 32.39}]},
        },
    )
    path = f"{NETSUITE_PREFIX}/salesOrder/{order['id']}"

    collapsed = (await netsuite_request(sandbox.client, "GET", path)).json()
    expanded = (await netsuite_request(sandbox.client, "GET", f"{path}?expandSubResources=true")).json()
    sublist = (await netsuite_request(sandbox.client, "GET", f"{path}/item")).json()

    assert collapsed["links"] == [{"rel": "self", "href": f"http://sandbox.test{path}"}]
    assert collapsed["item"] == {"links": [{"rel": "self", "href": f"http://sandbox.test{path}/item"}]}
    assert collapsed["lastModifiedDate"] == "2024-06-10T12:00:01Z"
    assert expanded["item"]["items"][0]["rate"] == 32.39
    assert sublist["items"] == expanded["item"]["items"]
    parse_record(System.NETSUITE, "salesOrder", collapsed)
    parse_record(System.NETSUITE, "salesOrder", expanded)


async def test_unknown_id_is_404_nonexistent_id_and_eid_addresses_by_external_id(sandbox: Sandbox) -> None:
    ids = await _customers(sandbox.parts.store, 2)

    missing = await netsuite_request(sandbox.client, "GET", f"{CUSTOMER}/999")
    by_external = await netsuite_request(sandbox.client, "GET", f"{CUSTOMER}/eid:shopify:1")

    assert missing.status_code == 404
    assert missing.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"
    assert by_external.json()["id"] == ids[1]
    parse_record(System.NETSUITE, "customer", by_external.json())


async def test_collection_query_pages_by_offset_following_next_links(sandbox: Sandbox) -> None:
    ids = await _customers(sandbox.parts.store, 5)
    url = _collection_url(sandbox, 'lastModifiedDate ON_OR_AFTER "6/10/2024"', 2)
    seen: list[str] = []
    pages = 0
    next_url: str | None = str(url)
    while next_url is not None:
        response = await netsuite_request(sandbox.client, "GET", next_url)
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        assert body["count"] == len(body["items"])
        assert body["totalResults"] == 5
        next_url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        assert body["hasMore"] == (next_url is not None)

    assert seen == ids
    assert pages == 3


async def test_collection_query_excludes_records_outside_the_date_window(sandbox: Sandbox) -> None:
    await _customers(sandbox.parts.store, 2)

    after = await netsuite_request(
        sandbox.client, "GET", str(_collection_url(sandbox, 'lastModifiedDate AFTER "6/10/2024"', 10))
    )
    minute = await netsuite_request(
        sandbox.client,
        "GET",
        str(_collection_url(sandbox, 'lastmodifieddate ON_OR_AFTER "6/10/2024 12:00 pm"', 10)),
    )

    assert after.json()["totalResults"] == 0
    assert minute.json()["totalResults"] == 2


async def test_iso_dates_in_q_are_rejected_as_netsuite_rejects_them(sandbox: Sandbox) -> None:
    url = _collection_url(sandbox, 'lastModifiedDate ON_OR_AFTER "2024-06-10"', 10)

    response = await netsuite_request(sandbox.client, "GET", str(url))

    assert response.status_code == 400
    detail = response.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "INVALID_PARAMETER"
    assert detail["o:errorQueryParam"] == "q"


async def test_patch_answers_204_and_changes_only_the_given_fields(sandbox: Sandbox) -> None:
    [customer_id] = await _customers(sandbox.parts.store, 1)

    response = await netsuite_request(
        sandbox.client, "PATCH", f"{CUSTOMER}/{customer_id}", json={"phone": "+16135550100"}
    )
    read = await netsuite_request(sandbox.client, "GET", f"{CUSTOMER}/{customer_id}")

    assert response.status_code == 204
    assert response.content == b""
    assert read.json()["phone"] == "+16135550100"
    assert read.json()["email"] == "c0@acme.example"
    assert await sandbox.parts.store.write_counts() == {f"netsuite:customer:{customer_id}": 1}


async def test_patch_with_an_invalid_email_is_a_400_with_the_field_path(sandbox: Sandbox) -> None:
    [customer_id] = await _customers(sandbox.parts.store, 1)

    response = await netsuite_request(
        sandbox.client, "PATCH", f"{CUSTOMER}/{customer_id}", json={"email": "nope"}
    )

    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorPath"] == "email"


async def test_post_answers_204_with_the_new_records_location(sandbox: Sandbox) -> None:
    response = await netsuite_request(sandbox.client, "POST", CUSTOMER, json={"companyName": "New Co"})
    read = await netsuite_request(sandbox.client, "GET", response.headers["Location"])

    assert response.status_code == 204
    assert read.json()["companyName"] == "New Co"
    assert response.headers["Location"].endswith(f"/customer/{read.json()['id']}")


async def test_requests_beyond_the_concurrency_limit_get_429(sandbox_factory: SandboxFactory) -> None:
    async with sandbox_factory(netsuite_concurrency=2) as sandbox:
        [customer_id] = await _customers(sandbox.parts.store, 1)
        sandbox.parts.faults.configure_platform(System.NETSUITE, PlatformFaults(latency_seconds=0.3))
        responses = await asyncio.gather(
            *(netsuite_request(sandbox.client, "GET", f"{CUSTOMER}/{customer_id}") for _ in range(3))
        )
        sandbox.parts.faults.reset()
        after = await netsuite_request(sandbox.client, "GET", f"{CUSTOMER}/{customer_id}")

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 200, 429]
    refused = next(response for response in responses if response.status_code == 429)
    assert refused.json()["title"] == "Too Many Requests"
    assert refused.json()["o:errorDetails"][0]["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"
    assert after.status_code == 200
    assert sandbox.parts.netsuite_gate.in_flight == 0
