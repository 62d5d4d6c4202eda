"""Webhooks from the whole sandbox: store changes -> dispatcher -> a real receiver; the activity routes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.sandbox.webhooks import WebhookConfig
from shared.core.signatures import verify_hubspot_v3, verify_shopify_webhook
from tests.integration.sandbox.conftest import Sandbox, SandboxFactory
from tests.unit.sandbox.test_webhooks import Receiver, receiver

pytestmark = pytest.mark.integration
__all__ = ["receiver"]  # the real HTTP receiver fixture, shared with the unit tests

SMALL_STORY = {"seed": 5, "customers": 4, "products": 2, "orders": 3, "drift": 0.5}


async def test_webhook_config_can_be_read_and_partly_changed(sandbox: Sandbox) -> None:
    changed = await sandbox.client.put(
        "/_admin/webhooks/config", json={"duplicate_rate": 0.5, "reorder": True}
    )
    assert changed.status_code == 200
    current = (await sandbox.client.get("/_admin/webhooks/config")).json()
    assert (current["duplicate_rate"], current["reorder"], current["max_attempts"]) == (0.5, True, 5)
    assert sandbox.parts.dispatcher.config == WebhookConfig.model_validate(current)


@pytest.mark.parametrize("body", [{"drop_rate": 2}, {"no_such_switch": True}])
async def test_invalid_webhook_config_is_refused_and_kept(sandbox: Sandbox, body: dict[str, object]) -> None:
    answer = await sandbox.client.put("/_admin/webhooks/config", json=body)
    assert answer.status_code == 422
    assert "error" in answer.json()
    assert sandbox.parts.dispatcher.config == WebhookConfig()


async def test_scenario_route_runs_the_story_and_reports_it(sandbox: Sandbox) -> None:
    answer = await sandbox.client.post("/_admin/scenario", json={**SMALL_STORY, "reset": True})
    assert answer.status_code == 200
    report = answer.json()
    assert (len(report["customers"]), len(report["products"]), len(report["orders"])) == (4, 2, 3)
    assert {drift["kind"] for drift in report["drift"]} == {
        "formatting",
        "conflict",
        "missing",
        "out_of_band",
    }
    refused = await sandbox.client.post("/_admin/scenario", json={"customers": 0, "orders": 2})
    assert refused.status_code == 422


async def test_a_scenario_reaches_the_receiver_as_signed_platform_webhooks(
    sandbox_factory: SandboxFactory, receiver: Receiver
) -> None:
    async with sandbox_factory() as sandbox:
        dispatcher = sandbox.parts.dispatcher
        switches = {"target_url": receiver.base_url, "batch_window_seconds": 0.05}
        assert (await sandbox.client.put("/_admin/webhooks/config", json=switches)).status_code == 200
        assert (await sandbox.client.post("/_admin/scenario", json=SMALL_STORY)).status_code == 200
        assert await dispatcher.wait_idle(10.0), dispatcher.stats()
        stats = dispatcher.stats()

    hubspot, shopify = receiver.of("hubspot"), receiver.of("shopify")
    assert hubspot
    assert shopify
    assert receiver.of("netsuite") == []
    assert stats["delivered"] == stats["sent"] == len(receiver.requests)
    settings = sandbox.settings
    for batch in hubspot:
        timestamp = batch.headers["x-hubspot-request-timestamp"]
        assert verify_hubspot_v3(
            settings.hubspot_client_secret.get_secret_value(),
            "POST",
            batch.url,
            batch.body,
            signature=batch.headers["x-hubspot-signature-v3"],
            timestamp=timestamp,
            now=datetime.fromtimestamp(int(timestamp) / 1000, tz=UTC),
        ).ok
    secret = settings.shopify_api_secret.get_secret_value()
    assert all(
        verify_shopify_webhook([secret], r.body, r.headers["x-shopify-hmac-sha256"]).ok for r in shopify
    )
    topics = {r.headers["x-shopify-topic"] for r in shopify}
    assert {"customers/create", "products/create", "orders/create", "products/update"} <= topics
