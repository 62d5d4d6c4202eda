"""Creating a missing order creates what it needs first (issue 7, item 6), against the sandbox over HTTP.

A Shopify order is missing from NetSuite, and so is its customer; its item is in NetSuite already.
The links the checker would have stored are seeded through its repository, so the syncer finds the
customer's Shopify record (to create it from) and the NetSuite item (to point at).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pymongo import AsyncMongoClient
from pymongo.database import Database

from services.syncer.settings import SyncerSettings
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.core.events import CreateMissing, SeenRecord
from shared.core.model import EntityId, EntityType, ExternalRef, System
from shared.core.repositories import Link
from shared.core.sync import CommandState, image_of
from tests.integration.syncer.support import (
    Platform,
    command,
    final_record,
    publish,
    running_syncer,
    syncer_settings,
)
from tests.support.sandbox import RunningSandbox


@pytest.fixture
def settings(
    sandbox: RunningSandbox,
    kafka_bootstrap: str,
    mongo_uri: str,
    mongo_db: Database[dict[str, object]],
    prefix: str,
) -> SyncerSettings:
    return syncer_settings(sandbox, kafka=kafka_bootstrap, mongo_uri=mongo_uri, database=mongo_db.name,
                           prefix=prefix, shopify=sandbox.shopify())  # fmt: skip


SHOPIFY_ORDER: dict[str, object] = {
    "name": "#2001", "order_number": 2001, "email": "carol@shop.example", "currency": "USD",
    "subtotal_price": "25.00", "total_tax": "0.00", "total_price": "25.00", "financial_status": "paid",
    "fulfillment_status": None,
    "line_items": [{"title": "Enamel Mug", "sku": "MUG-1", "quantity": 2, "price": "12.50"}],
}  # fmt: skip


async def seed_links(settings: SyncerSettings, *links: tuple[ExternalRef, str, EntityType, str]) -> None:
    """Store links and keys as the checker's link stage would."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        settings.mongodb_uri.get_secret_value(), tz_aware=True
    )
    try:
        repository = MongoEntityRepository(client[settings.mongodb_database])
        await repository.attach_all([
            (Link(ref=ref, entity_id=EntityId(entity), entity_type=kind, confidence=1.0, method="operator",
                  linked_at=datetime.now(UTC)), {key})
            for ref, entity, kind, key in links
        ])  # fmt: skip
    finally:
        await client.close()


async def test_creating_a_missing_order_creates_its_missing_customer_first_and_points_at_its_item(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    customer = await platform.create(System.SHOPIFY, "customers", {"email": "carol@shop.example",
                                                                  "first_name": "Carol", "last_name": "Ng"})  # fmt: skip
    order = await platform.create(System.SHOPIFY, "orders", {
        **SHOPIFY_ORDER, "customer": {"id": int(customer.external_id), "email": "carol@shop.example"}})  # fmt: skip
    item = await platform.create(System.NETSUITE, "inventoryItem", {"itemId": "MUG-1", "displayName": "Enamel Mug",
                                                                    "basePrice": 12.5})  # fmt: skip
    await seed_links(settings, (customer, "ent_carol", EntityType.CUSTOMER, "email:carol@shop.example"),
                     (item, "ent_mug", EntityType.PRODUCT, "sku:MUG-1"))  # fmt: skip
    (snapshot,) = await platform.reader.read([order], EntityType.ORDER)
    seen = SeenRecord(ref=order, source_version=snapshot.source_version,
                      values=image_of(snapshot.values, frozenset({"order_number", "customer_email"})))  # fmt: skip
    create = command(CreateMissing(source=System.SHOPIFY, target=System.NETSUITE), (seen,), entity="ent_order",
                     entity_type=EntityType.ORDER, dimension="presence")  # fmt: skip
    async with running_syncer(settings):
        await publish(settings.kafka_bootstrap, settings.topic_prefix, create)
        record = await final_record(mongo_uri, settings.mongodb_database, create.command_id)

    assert record.state is CommandState.APPLIED, record.last_error
    writes = record.writes or ()
    assert [(w.planned.operation, w.planned.entity_type) for w in writes] == [
        ("create", EntityType.CUSTOMER), ("create", EntityType.ORDER)
    ]  # fmt: skip
    new_customer, new_order = (w.ref for w in writes)
    assert new_customer is not None and new_customer.system is System.NETSUITE
    assert new_order is not None and new_order.object_type == "salesOrder"
    stored_customer = await admin_record(platform, new_customer)
    stored_order = await admin_record(platform, new_order)
    assert stored_customer["email"] == "carol@shop.example"
    assert stored_order["entity"] == {"id": new_customer.external_id}
    (line,) = stored_order["item"]["items"]  # type: ignore[index]  # the sales order's item sublist
    assert (line["item"]["id"], line["quantity"]) == (item.external_id, 2)
    assert stored_order["otherRefNum"] == "#2001"
    assert (await platform.writes(new_customer), await platform.writes(new_order), await platform.writes(item)) == (
        1, 1, 0
    )  # fmt: skip


async def test_an_order_whose_customer_is_found_nowhere_is_not_created(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    order = await platform.create(System.SHOPIFY, "orders", {**SHOPIFY_ORDER, "email": "nobody@shop.example"})
    (snapshot,) = await platform.reader.read([order], EntityType.ORDER)
    seen = SeenRecord(ref=order, source_version=snapshot.source_version, values={})
    create = command(CreateMissing(source=System.SHOPIFY, target=System.NETSUITE), (seen,), entity="ent_order",
                     entity_type=EntityType.ORDER, dimension="presence")  # fmt: skip
    async with running_syncer(settings):
        await publish(settings.kafka_bootstrap, settings.topic_prefix, create)
        record = await final_record(mongo_uri, settings.mongodb_database, create.command_id)

    assert record.state is CommandState.DEAD
    assert "the order's customer (email:nobody@shop.example) is in neither netsuite" in (
        record.last_error or ""
    )
    counts = (await platform.http.get(f"{platform.sandbox.base_url}/_admin/write-counts")).json()[
        "write_counts"
    ]
    assert [key for key in counts if key.startswith("netsuite:")] == []


async def admin_record(platform: Platform, ref: ExternalRef) -> dict[str, object]:
    url = f"{platform.sandbox.base_url}/_admin/records/{ref.system}/{ref.object_type}/{ref.external_id}"
    response = await platform.http.get(url)
    response.raise_for_status()
    record: dict[str, object] = response.json()
    return record
