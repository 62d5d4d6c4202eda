"""Shopify wire models: ids as numbers or gids, money strings, variants exploded into records."""

from decimal import Decimal

from shared.core.platforms.shopify import ShopifyOrder, ShopifyProduct, ShopifyVariantRecord, explode_product
from tests.unit.core.platforms.fixtures import load


def test_gid_ids_read_as_their_numeric_tail() -> None:
    product = ShopifyProduct.model_validate(load("shopify.products.tshirt"))
    assert product.variants[1].id == 757650484644203962
    order = ShopifyOrder.model_validate(
        {**load("shopify.orders.1001"), "id": "gid://shopify/Order/5512345678901"}
    )
    assert order.external_id() == "5512345678901"


def test_money_strings_read_as_decimal_and_written_back_as_strings() -> None:
    order = ShopifyOrder.model_validate(load("shopify.orders.1001"))
    assert order.total_price == Decimal("64.78")
    assert order.to_wire()["total_price"] == "64.78"
    assert order.line_items[0].price == Decimal("25.00")


def test_product_with_two_variants_explodes_into_two_records() -> None:
    records = explode_product(ShopifyProduct.model_validate(load("shopify.products.tshirt")))
    assert [record.external_id() for record in records] == ["642667041472713922", "757650484644203962"]
    assert {record.product.title for record in records} == {"Classic T-Shirt"}


def test_variant_record_version_is_the_later_of_product_and_variant() -> None:
    payload = load("shopify.products.tshirt")
    product = ShopifyProduct.model_validate(payload)
    older_variant = explode_product(product)[1]
    assert older_variant.source_updated_at() == product.source_updated_at()
    newer = {**payload["variants"][0], "updated_at": "2024-06-11T00:00:00-04:00"}  # type: ignore[index]
    record = ShopifyVariantRecord.model_validate({"product": payload, "variant": newer})
    assert record.source_version() == "2024-06-11T04:00:00.000000Z"


def test_order_keeps_refund_transactions_and_unknown_fields() -> None:
    order = ShopifyOrder.model_validate(load("shopify.orders.1001"))
    assert [t.status for t in order.refunds[0].transactions] == ["success", "failure"]
    assert order.to_wire()["source_name"] == "web"
