"""Injected faults: outages, rate-limit storms, malformed bodies and latency, each in the platform's own terms."""

from __future__ import annotations

import json
import time

import pytest

from services.sandbox.store import SandboxStore
from shared.core.model import System
from tests.integration.sandbox.conftest import Sandbox
from tests.integration.sandbox.platform_clients import HUBSPOT, SHOPIFY, SHOPIFY_PREFIX, netsuite_request

HUBSPOT_LIST = "/crm/v3/objects/contacts"
SHOPIFY_LIST = f"{SHOPIFY_PREFIX}/customers.json"
NETSUITE_LIST = "/services/rest/record/v1/customer"


async def _get(sandbox: Sandbox, system: System) -> tuple[int, dict[str, str], bytes]:
    if system is System.HUBSPOT:
        response = await sandbox.client.get(HUBSPOT_LIST, headers=HUBSPOT)
    elif system is System.SHOPIFY:
        response = await sandbox.client.get(SHOPIFY_LIST, headers=SHOPIFY)
    else:
        response = await netsuite_request(sandbox.client, "GET", NETSUITE_LIST)
    return response.status_code, dict(response.headers), response.content


async def _put_faults(sandbox: Sandbox, system: System, faults: dict[str, object]) -> None:
    response = await sandbox.client.put(f"/_admin/faults/{system}", json=faults)
    assert response.status_code == 200, response.text


async def test_an_outage_answers_503_with_each_platforms_body_and_spares_the_others(sandbox: Sandbox) -> None:
    await sandbox.client.put(
        "/_admin/faults", json={"hubspot": {"outage": True}, "netsuite": {"outage": True}}
    )

    hubspot_status, _, hubspot_body = await _get(sandbox, System.HUBSPOT)
    netsuite_status, _, netsuite_body = await _get(sandbox, System.NETSUITE)
    shopify_status, _, _ = await _get(sandbox, System.SHOPIFY)

    assert hubspot_status == 503
    assert json.loads(hubspot_body)["status"] == "error"
    assert netsuite_status == 503
    assert json.loads(netsuite_body)["o:errorDetails"][0]["o:errorCode"] == "SERVICE_UNAVAILABLE"
    assert shopify_status == 200


async def test_shopify_outage_body_is_an_errors_object(sandbox: Sandbox) -> None:
    await _put_faults(sandbox, System.SHOPIFY, {"outage": True})

    status, _, body = await _get(sandbox, System.SHOPIFY)

    assert status == 503
    assert json.loads(body) == {"errors": "Service Unavailable"}


@pytest.mark.parametrize("system", list(System))
async def test_a_storm_of_n_requests_answers_429_with_retry_after_then_ends(
    sandbox: Sandbox, system: System
) -> None:
    await _put_faults(sandbox, system, {"rate_limit_storm": {"requests": 2, "retry_after": 3}})

    first, second, after = [await _get(sandbox, system) for _ in range(3)]

    assert first[0] == second[0] == 429
    assert float(first[1]["retry-after"]) == 3.0
    assert after[0] == 200


async def test_a_timed_storm_lasts_its_seconds(sandbox: Sandbox) -> None:
    await _put_faults(sandbox, System.HUBSPOT, {"rate_limit_storm": {"seconds": 5}})

    during = await _get(sandbox, System.HUBSPOT)
    sandbox.monotonic.advance(6)
    after = await _get(sandbox, System.HUBSPOT)

    assert during[0] == 429
    assert json.loads(during[2])["policyName"] == "TEN_SECONDLY_ROLLING"
    assert after[0] == 200


@pytest.mark.parametrize("system", list(System))
async def test_malformed_responses_are_invalid_json_for_n_requests(
    sandbox: Sandbox, system: System, store: SandboxStore
) -> None:
    await store.create(System.HUBSPOT, "contacts", {"properties": {"email": "a@acme.example"}})
    await store.create(System.SHOPIFY, "customers", {"email": "a@acme.example"})
    await store.create(System.NETSUITE, "customer", {"email": "a@acme.example"})
    await _put_faults(sandbox, system, {"malformed_responses": 1})

    broken = await _get(sandbox, system)
    healthy = await _get(sandbox, system)

    assert broken[0] == 200
    assert int(broken[1]["content-length"]) == len(broken[2])
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken[2])
    json.loads(healthy[2])


async def test_latency_slows_every_response_of_the_platform(sandbox: Sandbox) -> None:
    await _put_faults(sandbox, System.SHOPIFY, {"latency_seconds": 0.3})

    started = time.monotonic()
    status, _, _ = await _get(sandbox, System.SHOPIFY)
    slow = time.monotonic() - started
    started = time.monotonic()
    await _get(sandbox, System.HUBSPOT)
    fast = time.monotonic() - started

    assert status == 200
    assert slow >= 0.3
    assert fast < 0.3


async def test_fault_state_reports_what_is_left(sandbox: Sandbox) -> None:
    await _put_faults(
        sandbox, System.NETSUITE, {"rate_limit_storm": {"requests": 3}, "malformed_responses": 2}
    )
    await _get(sandbox, System.NETSUITE)

    state = (await sandbox.client.get("/_admin/faults")).json()

    assert state["netsuite"]["storm_requests_left"] == 2
    assert state["netsuite"]["storm_active"] is True
    assert state["netsuite"]["malformed_left"] == 2
    assert state["hubspot"]["outage"] is False


async def test_invalid_fault_configuration_is_a_clear_400(sandbox: Sandbox) -> None:
    unbounded = await sandbox.client.put("/_admin/faults/hubspot", json={"rate_limit_storm": {}})
    unknown = await sandbox.client.put("/_admin/faults/hubspot", json={"explode": True})
    no_system = await sandbox.client.put("/_admin/faults/salesforce", json={})

    assert unbounded.status_code == 400
    assert "seconds or requests" in unbounded.json()["error"]
    assert unknown.status_code == 400
    assert no_system.status_code == 404


async def _write(sandbox: Sandbox, system: System, record_id: str | None) -> tuple[int, dict[str, object]]:
    """Update ``record_id``'s email (or create a record when None) through the platform's API."""
    if system is System.HUBSPOT:
        body = {"properties": {"email": "new@acme.example"}}
        path = HUBSPOT_LIST if record_id is None else f"{HUBSPOT_LIST}/{record_id}"
        response = await sandbox.client.request("POST" if record_id is None else "PATCH", path, json=body,
                                                headers=HUBSPOT)  # fmt: skip
    elif system is System.SHOPIFY:
        body = {"customer": {"email": "new@acme.example"}}
        path = SHOPIFY_LIST if record_id is None else f"{SHOPIFY_PREFIX}/customers/{record_id}.json"
        response = await sandbox.client.request("POST" if record_id is None else "PUT", path, json=body,
                                                headers=SHOPIFY)  # fmt: skip
    else:
        path = NETSUITE_LIST if record_id is None else f"{NETSUITE_LIST}/{record_id}"
        response = await netsuite_request(sandbox.client, "POST" if record_id is None else "PATCH", path,
                                          json={"email": "new@acme.example"})  # fmt: skip
    return response.status_code, response.json() if response.content else {}


_OBJECT_TYPES = {System.HUBSPOT: "contacts", System.SHOPIFY: "customers", System.NETSUITE: "customer"}


async def _two_records(store: SandboxStore, system: System) -> tuple[str, str]:
    created = [
        await store.create(
            system, _OBJECT_TYPES[system], _seed(system, f"{name}@acme.example"), origin="admin"
        )
        for name in ("a", "b")
    ]
    return str(created[0]["id"]), str(created[1]["id"])


def _seed(system: System, email: str) -> dict[str, object]:
    return {"properties": {"email": email}} if system is System.HUBSPOT else {"email": email}


async def test_a_rejected_record_answers_hubspots_own_400_validation_error(
    sandbox: Sandbox, store: SandboxStore
) -> None:
    refused, other = await _two_records(store, System.HUBSPOT)
    await _put_faults(sandbox, System.HUBSPOT, {"reject_writes": [
        {"object_type": "contacts", "record_id": refused, "message": "Email address new@ is invalid"}]})  # fmt: skip

    status, body = await _write(sandbox, System.HUBSPOT, refused)

    assert status == 400
    assert body["category"] == "VALIDATION_ERROR"
    assert str(body["message"]).startswith("Property values were not valid: [")
    assert "Email address new@ is invalid" in str(body["message"])
    assert body["errors"] == [{"message": "Email address new@ is invalid", "code": "INVALID_EMAIL",
                               "context": {"propertyName": ["email"]}}]  # fmt: skip
    assert (await _write(sandbox, System.HUBSPOT, other))[0] == 200
    assert (await store.get(System.HUBSPOT, "contacts", refused) or {})["properties"][
        "email"
    ] == "a@acme.example"  # type: ignore[index]  # a stored HubSpot record has properties


async def test_a_rejected_shopify_write_is_a_422_errors_object_and_changes_nothing(
    sandbox: Sandbox, store: SandboxStore
) -> None:
    refused, _ = await _two_records(store, System.SHOPIFY)
    await _put_faults(
        sandbox, System.SHOPIFY, {"reject_writes": [{"object_type": "customers", "record_id": refused}]}
    )

    status, body = await _write(sandbox, System.SHOPIFY, refused)

    assert (status, body) == (422, {"errors": {"email": ["is invalid"]}})
    assert (await store.get(System.SHOPIFY, "customers", refused) or {})["email"] == "a@acme.example"
    assert (await store.write_counts()).get(f"shopify:customers:{refused}", 0) == 0


async def test_a_rejected_netsuite_type_refuses_creates_and_updates_with_invalid_parameter(
    sandbox: Sandbox, store: SandboxStore
) -> None:
    existing, _ = await _two_records(store, System.NETSUITE)
    await _put_faults(sandbox, System.NETSUITE, {"reject_writes": [{"object_type": "customer"}]})

    update = await _write(sandbox, System.NETSUITE, existing)
    create = await _write(sandbox, System.NETSUITE, None)
    read = await _get(sandbox, System.NETSUITE)

    for status, body in (update, create):
        assert status == 400
        assert body["title"] == "Bad Request"
        (detail,) = body["o:errorDetails"]  # type: ignore[misc]  # a list of one detail
        assert detail["o:errorCode"] == "INVALID_PARAMETER"
        assert detail["o:errorPath"] == "email"
        assert "Invalid value for the resource or sub-resource field 'email'" in detail["detail"]
    assert read[0] == 200
