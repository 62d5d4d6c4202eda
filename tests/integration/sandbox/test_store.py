"""The sandbox store keeps platform-shaped records, stamps them, counts API writes and notifies listeners."""

from __future__ import annotations

from services.sandbox.store import ChangeEvent, SandboxStore
from shared.core.model import System
from shared.core.platforms import parse_record


async def test_hubspot_create_assigns_string_id_and_string_properties(store: SandboxStore) -> None:
    created = await store.create(System.HUBSPOT, "contacts", {"properties": {"email": "a@x.io", "n": 3}})

    assert created["id"] == "101"
    properties = created["properties"]
    assert isinstance(properties, dict)
    assert properties["n"] == "3"
    assert properties["hs_object_id"] == "101"
    assert properties["lastmodifieddate"] == created["updatedAt"] == "2024-06-10T12:00:01.000Z"
    parse_record(System.HUBSPOT, "contacts", created)


async def test_update_moves_stamp_and_reports_changed_fields(store: SandboxStore) -> None:
    events: list[ChangeEvent] = []

    async def listen(event: ChangeEvent) -> None:
        events.append(event)

    store.add_listener(listen)
    created = await store.create(System.SHOPIFY, "customers", {"email": "a@x.io", "first_name": "A"})
    record_id = str(created["id"])

    updated = await store.update(
        System.SHOPIFY, "customers", record_id, {"email": "b@x.io", "first_name": "A"}
    )

    assert updated["updated_at"] == "2024-06-10T08:00:02-04:00"
    assert [event.kind for event in events] == ["created", "updated"]
    assert events[1].changed_fields == ("email",)
    assert events[1].record["email"] == "b@x.io"
    parse_record(System.SHOPIFY, "customers", updated)


async def test_out_of_band_edit_changes_state_without_notifying(store: SandboxStore) -> None:
    heard: list[ChangeEvent] = []

    async def listen(event: ChangeEvent) -> None:
        heard.append(event)

    created = await store.create(System.NETSUITE, "customer", {"email": "a@x.io"}, origin="scenario")
    store.add_listener(listen)

    await store.update(
        System.NETSUITE, "customer", str(created["id"]), {"email": "z@x.io"}, emit=False, origin="admin"
    )

    stored = await store.get(System.NETSUITE, "customer", str(created["id"]))
    assert stored is not None
    assert stored["email"] == "z@x.io"
    assert stored["lastModifiedDate"] == "2024-06-10T12:00:02Z"
    assert heard == []


async def test_write_counts_count_only_api_writes(store: SandboxStore) -> None:
    created = await store.create(System.HUBSPOT, "deals", {"properties": {"amount": "1"}}, origin="scenario")
    record_id = str(created["id"])
    await store.update(System.HUBSPOT, "deals", record_id, {"properties": {"amount": "2"}})
    await store.update(System.HUBSPOT, "deals", record_id, {"amount": "3"})
    await store.update(System.HUBSPOT, "deals", record_id, {"amount": "4"}, origin="admin")

    assert await store.write_counts() == {f"hubspot:deals:{record_id}": 2}


async def test_all_orders_by_last_modified_then_creation(store: SandboxStore) -> None:
    first = await store.create(System.NETSUITE, "salesOrder", {"total": 1.0})
    second = await store.create(System.NETSUITE, "salesOrder", {"total": 2.0})
    await store.update(System.NETSUITE, "salesOrder", str(first["id"]), {"total": 3.0})

    ids = [record["id"] for record in await store.all(System.NETSUITE, "salesOrder")]

    assert ids == [second["id"], first["id"]]


async def test_shopify_product_variants_get_ids_and_are_merged_by_id(store: SandboxStore) -> None:
    created = await store.create(
        System.SHOPIFY,
        "products",
        {"title": "Tee", "variants": [{"sku": "T-1", "price": "9.00"}, {"sku": "T-2"}]},
    )
    variants = created["variants"]
    assert isinstance(variants, list)
    kept = variants[0]
    assert kept["product_id"] == created["id"]

    updated = await store.update(
        System.SHOPIFY, "products", str(created["id"]), {"variants": [{"id": kept["id"], "price": "10.00"}]}
    )

    assert updated["variants"] == [{**kept, "price": "10.00", "updated_at": "2024-06-10T08:00:02-04:00"}]
    parse_record(System.SHOPIFY, "products", updated)


async def test_a_failing_listener_does_not_fail_the_write(store: SandboxStore) -> None:
    async def explode(event: ChangeEvent) -> None:
        raise RuntimeError("listener down")

    store.add_listener(explode)
    created = await store.create(System.HUBSPOT, "products", {"properties": {"price": "1.00"}})

    assert await store.get(System.HUBSPOT, "products", str(created["id"])) == created


async def test_reset_forgets_records_counts_and_restarts_ids(store: SandboxStore) -> None:
    first = await store.create(System.HUBSPOT, "contacts", {"properties": {}})
    await store.reset()

    assert await store.all(System.HUBSPOT, "contacts") == []
    assert await store.write_counts() == {}
    again = await store.create(System.HUBSPOT, "contacts", {"properties": {}})
    assert again["id"] == first["id"]
