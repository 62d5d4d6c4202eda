"""Shopify connector over recorded responses: token header, Link pagination, variants, writes."""

from datetime import UTC, datetime

import pytest

from shared.adapters.budget import UnlimitedBudget
from shared.adapters.platforms.base import ChangeCursor
from shared.adapters.platforms.shopify import ShopifyConnector
from shared.core.errors import AuthFailed, Invalid, MalformedResponse
from shared.core.model import EntityType
from shared.core.platforms.shopify import ShopifyCustomer, ShopifyVariantRecord
from tests.unit.adapters.platforms.support import Recorder, recorded, reply, shopify_settings

SINCE = datetime(2024, 6, 10, tzinfo=UTC)
ROOT = "https://concord-demo.myshopify.com/admin/api/2024-07"


def _connector(recorder: Recorder, **settings: object) -> ShopifyConnector:
    return ShopifyConnector(shopify_settings(**settings), recorder.client(), UnlimitedBudget())


async def test_read_sends_the_access_token_header_and_parses_a_customer() -> None:
    recorder = Recorder(reply(200, {"customer": recorded("shopify.customers.jane.json")}))
    record = await _connector(recorder).read(EntityType.CUSTOMER, "7045610061887")
    request = recorder.requests[0]
    assert request.headers["X-Shopify-Access-Token"] == "shpat_test"
    assert str(request.url) == f"{ROOT}/customers/7045610061887.json"
    assert isinstance(record, ShopifyCustomer)


async def test_an_invalid_token_is_auth_failed_with_shopifys_text() -> None:
    recorder = Recorder(reply(401, recorded("shopify.error.401.json")))
    with pytest.raises(AuthFailed) as raised:
        await _connector(recorder).read(EntityType.CUSTOMER, "1")
    assert raised.value.details is not None
    assert "Invalid API key" in raised.value.details


async def test_changes_use_updated_at_min_then_only_the_link_cursor() -> None:
    customer = recorded("shopify.customers.jane.json")
    link = f'<{ROOT}/customers.json?limit=250&page_info=abc123>; rel="next"'
    recorder = Recorder(reply(200, {"customers": [customer]}, {"Link": link}), reply(200, {"customers": []}))
    connector = _connector(recorder)
    first = await connector.changed_since(EntityType.CUSTOMER, ChangeCursor(since=SINCE))
    assert dict(recorder.requests[0].url.params) == {"limit": "250", "updated_at_min": SINCE.isoformat()}
    assert first.next_cursor == ChangeCursor(since=SINCE, page="abc123")
    assert len(first.records) == 1
    assert first.high_water is not None
    assert first.next_cursor is not None
    last = await connector.changed_since(EntityType.CUSTOMER, first.next_cursor)
    assert dict(recorder.requests[1].url.params) == {"limit": "250", "page_info": "abc123"}
    assert last.next_cursor is None


async def test_order_listings_ask_for_every_status() -> None:
    recorder = Recorder(reply(200, {"orders": [recorded("shopify.orders.1001.json")]}))
    await _connector(recorder).changed_since(EntityType.ORDER, ChangeCursor(since=SINCE))
    assert recorder.requests[0].url.params["status"] == "any"


async def test_product_listings_explode_into_one_record_per_variant() -> None:
    recorder = Recorder(reply(200, {"products": [recorded("shopify.products.tshirt.json")]}))
    page = await _connector(recorder).changed_since(EntityType.PRODUCT, ChangeCursor(since=SINCE))
    assert [record.external_id() for record in page.records] == ["642667041472713922", "757650484644203962"]
    assert all(isinstance(record, ShopifyVariantRecord) for record in page.records)


async def test_read_of_a_product_reads_the_variant_then_its_product() -> None:
    product = recorded("shopify.products.tshirt.json")
    assert isinstance(product, dict)
    recorder = Recorder(reply(200, {"variant": product["variants"][1]}), reply(200, {"product": product}))
    record = await _connector(recorder).read(EntityType.PRODUCT, "757650484644203962")
    assert [request.url.path.rsplit("/", 1)[-1] for request in recorder.requests] == [
        "757650484644203962.json",
        "788032119674292922.json",
    ]
    assert isinstance(record, ShopifyVariantRecord)
    assert record.variant.sku == "TSHIRT-001-L-BLK"


async def test_a_list_without_its_collection_key_is_malformed() -> None:
    recorder = Recorder(reply(200, {"customer": []}))
    with pytest.raises(MalformedResponse):
        await _connector(recorder).changed_since(EntityType.CUSTOMER, ChangeCursor(since=SINCE))


async def test_update_puts_the_id_and_the_provenance_metafield() -> None:
    customer = recorded("shopify.customers.jane.json")
    recorder = Recorder(reply(200, {"customer": customer}, {"X-Request-Id": "req-9"}))
    body = {"customer": {"phone": "+16135550100"}}
    result = await _connector(recorder).update(EntityType.CUSTOMER, "7045610061887", body, tag="concord-t")
    sent = recorder.body(0)
    assert recorder.requests[0].method == "PUT"
    assert sent == {
        "customer": {
            "phone": "+16135550100",
            "id": 7045610061887,
            "metafields": [
                {
                    "namespace": "concord",
                    "key": "sync_tag",
                    "value": "concord-t",
                    "type": "single_line_text_field",
                }
            ],
        }
    }
    assert result.receipt.request_id == "req-9"
    assert result.receipt.carried_by == "metafield:concord.sync_tag"


async def test_a_422_is_invalid_with_field_messages() -> None:
    recorder = Recorder(reply(422, recorded("shopify.error.422.json")))
    with pytest.raises(Invalid) as raised:
        await _connector(recorder).update(EntityType.CUSTOMER, "1", {"customer": {"email": "x"}}, tag="t")
    assert raised.value.details == "email: has already been taken; phone: is invalid"


async def test_create_of_a_product_returns_its_first_variant() -> None:
    recorder = Recorder(reply(201, {"product": recorded("shopify.products.tshirt.json")}))
    body = {
        "product": {"title": "Classic T-Shirt", "variants": [{"sku": "TSHIRT-001-M-BLK", "price": "27.99"}]}
    }
    result = await _connector(recorder, provenance_metafields=False).create(EntityType.PRODUCT, body, tag="t")
    assert recorder.body(0) == body
    assert result.record.external_id() == "642667041472713922"
    assert result.receipt.ref.key == "shopify:variants:642667041472713922"
