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
