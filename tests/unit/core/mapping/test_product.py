"""Product mappings: a canonical product is one SKU; a Shopify product explodes into its variants."""

import pytest

from shared.core.errors import InvalidInput
from shared.core.mapping import FieldNotWritable, MappingContext, mapping_for
from shared.core.model import EntityType, Money, Product, System
from shared.core.platforms.shopify import ShopifyProduct, explode_product
from tests.unit.core.platforms.fixtures import load

CTX = MappingContext(default_phone_region="US", default_currency="USD")
PRICE = Money.of("27.99", "USD")


def test_shopify_product_with_two_variants_gives_two_canonical_products() -> None:
    mapping = mapping_for(System.SHOPIFY, EntityType.PRODUCT)
    records = explode_product(ShopifyProduct.model_validate(load("shopify.products.tshirt")))
    views = [mapping.to_canonical(record, CTX) for record in records]
    assert views == [
        Product(
            sku="TSHIRT-001-M-BLK",
            title="Classic T-Shirt",
            description="<p>Heavyweight cotton tee.</p>",
            price=PRICE,
            inventory_quantity=42,
            active=True,
        ),
        Product(
            sku="TSHIRT-001-L-BLK",
            title="Classic T-Shirt",
            description="<p>Heavyweight cotton tee.</p>",
            price=Money.of("29.99", "USD"),
            inventory_quantity=7,
            active=True,
        ),
    ]
    assert [mapping.ref(record).key for record in records] == [
        "shopify:variants:642667041472713922",
        "shopify:variants:757650484644203962",
    ]


def test_hubspot_product_reads_sku_name_and_price() -> None:
    mapping = mapping_for(System.HUBSPOT, EntityType.PRODUCT)
    view = mapping.to_canonical(mapping.parse(load("hubspot.products.tshirt")), CTX)
    assert view == Product(
        sku="TSHIRT-001-M-BLK",
        title="Classic T-Shirt - M / Black",
        description="Heavyweight cotton tee.",
        price=PRICE,
    )


def test_netsuite_item_reads_item_id_as_sku_and_active_from_is_inactive() -> None:
    mapping = mapping_for(System.NETSUITE, EntityType.PRODUCT)
    view = mapping.to_canonical(mapping.parse(load("netsuite.inventoryItem.88")), CTX)
    assert view == Product(
        sku="TSHIRT-001-M-BLK",
        title="Classic T-Shirt",
        description="Heavyweight cotton tee.",
        price=PRICE,
        active=True,
    )


def test_shopify_variant_patch_writes_the_variant() -> None:
    body = mapping_for(System.SHOPIFY, EntityType.PRODUCT).to_platform_patch(
        Product(sku="TSHIRT-001-M-BLK", price=PRICE), ["price", "sku"], CTX
    )
    assert body == {"variant": {"price": "27.99", "sku": "TSHIRT-001-M-BLK"}}


def test_shopify_create_makes_a_product_with_one_variant() -> None:
    view = Product(sku="S-1", title="Sock", price=Money.of("5", "USD"), active=False)
    body = mapping_for(System.SHOPIFY, EntityType.PRODUCT).to_platform_create(view, CTX)
    assert body == {
        "product": {"title": "Sock", "status": "draft", "variants": [{"sku": "S-1", "price": "5.00"}]}
    }


def test_shopify_stock_is_read_only() -> None:
    with pytest.raises(FieldNotWritable, match="inventory_quantity"):
        mapping_for(System.SHOPIFY, EntityType.PRODUCT).to_platform_patch(
            Product(inventory_quantity=3), ["inventory_quantity"], CTX
        )


def test_price_in_another_currency_than_the_platform_holds_is_refused() -> None:
    with pytest.raises(InvalidInput, match="holds amounts in USD, not EUR"):
        mapping_for(System.HUBSPOT, EntityType.PRODUCT).to_platform_patch(
            Product(price=Money.of("1.00", "EUR")), ["price"], CTX
        )


def test_hubspot_and_netsuite_patches_use_their_own_formats() -> None:
    view = Product(price=PRICE, active=False)
    assert mapping_for(System.HUBSPOT, EntityType.PRODUCT).to_platform_patch(view, ["price"], CTX) == {
        "properties": {"price": "27.99"}
    }
    assert mapping_for(System.NETSUITE, EntityType.PRODUCT).to_platform_patch(
        view, ["price", "active"], CTX
    ) == {
        "basePrice": PRICE.amount,
        "isInactive": True,
    }
