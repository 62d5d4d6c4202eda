"""The sandbox answers like Shopify's Admin REST API: auth, Link paging, writes, the leaky bucket."""

from __future__ import annotations

import re

import httpx

from services.sandbox.store import SandboxStore
from shared.core.model import System
from shared.core.platforms import parse_record
from tests.integration.sandbox.conftest import Sandbox, SandboxFactory
from tests.integration.sandbox.platform_clients import SHOPIFY, SHOPIFY_PREFIX

CUSTOMERS = f"{SHOPIFY_PREFIX}/customers.json"
_LINK = re.compile(r'<([^>]+)>; rel="(next|previous)"')


def _links(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in _LINK.findall(response.headers.get("Link", ""))}


async def _customers(store: SandboxStore, count: int) -> list[int]:
    ids = []
    for n in range(count):
        fields: dict[str, object] = {
            "email": f"c{n}@acme.example",
            "first_name": f"C{n}",
            "phone": f"+1613555{n:04d}",
        }
        created = await store.create(System.SHOPIFY, "customers", fields, origin="scenario")
        ids.append(int(str(created["id"])))
    return ids


async def test_wrong_or_missing_token_gets_shopifys_401_body(sandbox: Sandbox) -> None:
    missing = await sandbox.client.get(CUSTOMERS)
    wrong = await sandbox.client.get(CUSTOMERS, headers={"X-Shopify-Access-Token": "shpat_wrong"})

    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json() == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }


async def test_records_have_numeric_ids_gids_and_shop_offset_timestamps(sandbox: Sandbox) -> None:
    [customer_id] = await _customers(sandbox.parts.store, 1)

    response = await sandbox.client.get(f"{SHOPIFY_PREFIX}/customers/{customer_id}.json", headers=SHOPIFY)

    customer = response.json()["customer"]
    assert customer["id"] == customer_id
    assert customer["admin_graphql_api_id"] == f"gid://shopify/Customer/{customer_id}"
    assert customer["updated_at"].endswith("-04:00")
    assert response.headers["X-Shopify-Shop-Api-Call-Limit"] == "1/40"
    assert response.headers["X-Shopify-API-Version"] == "2024-07"
    parse_record(System.SHOPIFY, "customers", customer)


async def test_unknown_id_is_404_not_found(sandbox: Sandbox) -> None:
    response = await sandbox.client.get(f"{SHOPIFY_PREFIX}/customers/1.json", headers=SHOPIFY)

    assert response.status_code == 404
    assert response.json() == {"errors": "Not Found"}


async def test_link_header_pages_forward_and_back_with_filters_in_the_cursor(sandbox: Sandbox) -> None:
    ids = await _customers(sandbox.parts.store, 7)
    second = await sandbox.parts.store.get(System.SHOPIFY, "customers", str(ids[1]))
    assert second is not None
    params = {"limit": "2", "updated_at_min": str(second["updated_at"])}
    response = await sandbox.client.get(CUSTOMERS, params=params, headers=SHOPIFY)
    seen = [c["id"] for c in response.json()["customers"]]
    assert "previous" not in _links(response)
    pages = [response]
    while "next" in _links(response):
        next_url = _links(response)["next"]
        assert "updated_at_min" not in next_url
        response = await sandbox.client.get(next_url, headers=SHOPIFY)
        pages.append(response)
        seen += [c["id"] for c in response.json()["customers"]]
    back = await sandbox.client.get(_links(pages[-1])["previous"], headers=SHOPIFY)

    assert seen == ids[1:]
    assert len(pages) == 3
    assert [c["id"] for c in back.json()["customers"]] == ids[3:5]
    for customer in pages[0].json()["customers"]:
        parse_record(System.SHOPIFY, "customers", customer)


async def test_page_info_cannot_be_combined_with_other_filters(sandbox: Sandbox) -> None:
    await _customers(sandbox.parts.store, 3)
    first = await sandbox.client.get(CUSTOMERS, params={"limit": "1"}, headers=SHOPIFY)
    page_info = _links(first)["next"].split("page_info=")[1]

    mixed = await sandbox.client.get(
        CUSTOMERS, params={"page_info": page_info, "updated_at_min": "2024-01-01T00:00:00Z"}, headers=SHOPIFY
    )
    bogus = await sandbox.client.get(CUSTOMERS, params={"page_info": "not-a-cursor"}, headers=SHOPIFY)
    too_big = await sandbox.client.get(CUSTOMERS, params={"limit": "251"}, headers=SHOPIFY)

    assert mixed.status_code == 400
    assert "page_info" in mixed.json()["errors"]
    assert bogus.status_code == 400
    assert too_big.status_code == 400


async def test_orders_list_only_open_orders_unless_status_any(sandbox: Sandbox) -> None:
    store = sandbox.parts.store
    open_order = await store.create(System.SHOPIFY, "orders", {"financial_status": "paid", "line_items": []})
    await store.create(
        System.SHOPIFY, "orders", {"financial_status": "paid", "closed_at": "2024-06-10T08:00:00-04:00"}
    )

    default = await sandbox.client.get(f"{SHOPIFY_PREFIX}/orders.json", headers=SHOPIFY)
    every = await sandbox.client.get(
        f"{SHOPIFY_PREFIX}/orders.json", params={"status": "any"}, headers=SHOPIFY
    )

    assert [o["id"] for o in default.json()["orders"]] == [open_order["id"]]
    assert len(every.json()["orders"]) == 2
    assert open_order["name"] == "#1001"
    parse_record(System.SHOPIFY, "orders", every.json()["orders"][1])


async def test_put_updates_and_returns_the_full_record(sandbox: Sandbox) -> None:
    [customer_id] = await _customers(sandbox.parts.store, 1)

    response = await sandbox.client.put(
        f"{SHOPIFY_PREFIX}/customers/{customer_id}.json",
        json={"customer": {"id": customer_id, "phone": "+16135550100"}},
        headers=SHOPIFY,
    )

    assert response.status_code == 200
    assert response.json()["customer"]["phone"] == "+16135550100"
    assert response.json()["customer"]["email"] == "c0@acme.example"
    assert await sandbox.parts.store.write_counts() == {f"shopify:customers:{customer_id}": 1}


async def test_put_of_a_taken_email_is_422(sandbox: Sandbox) -> None:
    _, second = await _customers(sandbox.parts.store, 2)

    taken = await sandbox.client.put(
        f"{SHOPIFY_PREFIX}/customers/{second}.json",
        json={"customer": {"email": "c0@acme.example"}},
        headers=SHOPIFY,
    )
    rootless = await sandbox.client.put(
        f"{SHOPIFY_PREFIX}/customers/{second}.json", json={"email": "x@acme.example"}, headers=SHOPIFY
    )

    assert taken.status_code == 422
    assert taken.json() == {"errors": {"email": ["has already been taken"]}}
    assert rootless.status_code == 400


async def test_post_creates_a_record_with_201(sandbox: Sandbox) -> None:
    response = await sandbox.client.post(
        CUSTOMERS, json={"customer": {"email": "new@acme.example", "first_name": "New"}}, headers=SHOPIFY
    )

    assert response.status_code == 201
    created = response.json()["customer"]
    stored = await sandbox.parts.store.get(System.SHOPIFY, "customers", str(created["id"]))
    assert stored == created


async def test_variant_put_changes_the_price_inside_its_product(sandbox: Sandbox) -> None:
    product = await sandbox.parts.store.create(
        System.SHOPIFY, "products", {"title": "Tee", "variants": [{"sku": "T-M", "price": "20.00"}]}
    )
    variants = product["variants"]
    assert isinstance(variants, list)
    variant_id = variants[0]["id"]

    response = await sandbox.client.put(
        f"{SHOPIFY_PREFIX}/variants/{variant_id}.json", json={"variant": {"price": "27.99"}}, headers=SHOPIFY
    )
    read = await sandbox.client.get(f"{SHOPIFY_PREFIX}/products/{product['id']}.json", headers=SHOPIFY)

    assert response.json()["variant"]["price"] == "27.99"
    assert read.json()["product"]["variants"][0]["price"] == "27.99"
    parse_record(System.SHOPIFY, "products", read.json()["product"])


async def test_full_bucket_answers_429_with_retry_after(sandbox_factory: SandboxFactory) -> None:
    async with sandbox_factory(shopify_bucket_size=3, shopify_leak_per_second=2.0) as sandbox:
        limits = [
            (await sandbox.client.get(CUSTOMERS, headers=SHOPIFY)).headers["X-Shopify-Shop-Api-Call-Limit"]
            for _ in range(3)
        ]
        refused = await sandbox.client.get(CUSTOMERS, headers=SHOPIFY)
        sandbox.monotonic.advance(1.0)
        later = await sandbox.client.get(CUSTOMERS, headers=SHOPIFY)

    assert limits == ["1/3", "2/3", "3/3"]
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2.0"
    assert refused.json()["errors"].startswith("Exceeded 2 calls per second")
    assert later.status_code == 200
    assert later.headers["X-Shopify-Shop-Api-Call-Limit"] == "2/3"
