"""The /_admin API: raw state, out-of-band edits that no listener hears, write counts, reset, health."""

from __future__ import annotations

from services.sandbox.store import ChangeEvent
from shared.core.model import System
from tests.integration.sandbox.conftest import Sandbox
from tests.integration.sandbox.platform_clients import HUBSPOT


def _recorder(sandbox: Sandbox) -> list[ChangeEvent]:
    heard: list[ChangeEvent] = []

    async def listen(event: ChangeEvent) -> None:
        heard.append(event)

    sandbox.parts.store.add_listener(listen)
    return heard


async def test_health_reports_the_database(sandbox: Sandbox) -> None:
    response = await sandbox.client.get("/_admin/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "mongodb": "ok"}


async def test_out_of_band_edit_changes_state_and_stamp_without_any_listener(sandbox: Sandbox) -> None:
    created = await sandbox.parts.store.create(
        System.HUBSPOT, "contacts", {"properties": {"email": "a@acme.example"}}, origin="scenario"
    )
    heard = _recorder(sandbox)

    response = await sandbox.client.post(
        "/_admin/edit",
        json={
            "system": "hubspot",
            "object_type": "contacts",
            "id": created["id"],
            "changes": {"email": "b@acme.example"},
        },
    )
    served = await sandbox.client.get(f"/crm/v3/objects/contacts/{created['id']}", headers=HUBSPOT)

    assert response.status_code == 200
    assert served.json()["properties"]["email"] == "b@acme.example"
    assert served.json()["updatedAt"] != created["updatedAt"]
    assert heard == []
    assert await sandbox.parts.store.write_counts() == {}


async def test_edit_with_emit_true_is_heard(sandbox: Sandbox) -> None:
    created = await sandbox.parts.store.create(System.SHOPIFY, "customers", {"email": "a@acme.example"})
    heard = _recorder(sandbox)

    await sandbox.client.post(
        "/_admin/edit",
        json={
            "system": "shopify",
            "object_type": "customers",
            "id": str(created["id"]),
            "changes": {"note": "vip"},
            "emit": True,
        },
    )

    assert [(event.kind, event.changed_fields, event.write_origin) for event in heard] == [
        ("updated", ("note",), "admin")
    ]


async def test_records_can_be_created_read_and_deleted_raw(sandbox: Sandbox) -> None:
    heard = _recorder(sandbox)
    created = await sandbox.client.post(
        "/_admin/records/netsuite/customer", json={"record": {"companyName": "Raw Co"}}
    )
    record_id = created.json()["id"]

    read = await sandbox.client.get(f"/_admin/records/netsuite/customer/{record_id}")
    listed = await sandbox.client.get("/_admin/records/netsuite/customer")
    deleted = await sandbox.client.delete(f"/_admin/records/netsuite/customer/{record_id}")
    gone = await sandbox.client.get(f"/_admin/records/netsuite/customer/{record_id}")

    assert created.status_code == 201
    assert read.json() == created.json()
    assert [r["id"] for r in listed.json()["records"]] == [record_id]
    assert deleted.status_code == 200
    assert gone.status_code == 404
    assert "no netsuite customer" in gone.json()["error"]
    assert heard == []


async def test_bad_admin_requests_are_400_or_404_with_messages(sandbox: Sandbox) -> None:
    missing_field = await sandbox.client.post(
        "/_admin/edit", json={"system": "hubspot", "object_type": "contacts"}
    )
    not_json = await sandbox.client.post(
        "/_admin/edit", content=b"{", headers={"Content-Type": "application/json"}
    )
    unknown_type = await sandbox.client.get("/_admin/records/hubspot/tickets")
    unknown_record = await sandbox.client.post(
        "/_admin/edit", json={"system": "hubspot", "object_type": "contacts", "id": "1", "changes": {}}
    )

    assert missing_field.status_code == 400
    assert "changes" in missing_field.json()["error"]
    assert not_json.status_code == 400
    assert unknown_type.status_code == 404
    assert "tickets" in unknown_type.json()["error"]
    assert unknown_record.status_code == 404


async def test_write_counts_count_client_writes_per_record(sandbox: Sandbox) -> None:
    created = await sandbox.parts.store.create(
        System.HUBSPOT, "contacts", {"properties": {}}, origin="scenario"
    )
    path = f"/crm/v3/objects/contacts/{created['id']}"
    for phone in ("+1", "+2"):
        await sandbox.client.patch(path, json={"properties": {"phone": phone}}, headers=HUBSPOT)

    everything = await sandbox.client.get("/_admin/write-counts")
    shopify_only = await sandbox.client.get("/_admin/write-counts", params={"system": "shopify"})

    assert everything.json() == {"write_counts": {f"hubspot:contacts:{created['id']}": 2}}
    assert shopify_only.json() == {"write_counts": {}}


async def test_reset_clears_records_counts_faults_and_rate_limits(sandbox: Sandbox) -> None:
    created = await sandbox.parts.store.create(System.HUBSPOT, "contacts", {"properties": {}})
    await sandbox.client.patch(
        f"/crm/v3/objects/contacts/{created['id']}", json={"properties": {"a": "1"}}, headers=HUBSPOT
    )
    await sandbox.client.put("/_admin/faults/shopify", json={"outage": True})

    response = await sandbox.client.post("/_admin/reset")
    listed = await sandbox.client.get("/crm/v3/objects/contacts", headers=HUBSPOT)

    assert response.json() == {"reset": True}
    assert listed.json() == {"results": []}
    assert listed.headers["X-HubSpot-RateLimit-Remaining"] == "189"
    assert await sandbox.parts.store.write_counts() == {}
    assert (await sandbox.client.get("/_admin/faults")).json()["shopify"]["outage"] is False
