"""Webhook delivery against a real local HTTP receiver (Starlette on uvicorn, on a free port)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.sandbox.settings import SandboxSettings
from services.sandbox.store import ChangeEvent
from services.sandbox.webhooks import WebhookConfig, WebhookDispatcher
from shared.core.model import System
from shared.core.signatures import (
    verify_hubspot_v1,
    verify_hubspot_v3,
    verify_netsuite_callout,
    verify_shopify_webhook,
)

NOW = datetime(2024, 6, 10, 16, 0, tzinfo=UTC)
SETTINGS = SandboxSettings()
Kind = Literal["created", "updated", "deleted"]
FAST = {"retry_base_seconds": 0.05, "retry_max_seconds": 0.2, "batch_window_seconds": 0.05}


@dataclass(frozen=True)
class Received:
    platform: str
    url: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> object:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers with ``statuses`` in turn (then 200), after ``pause`` seconds."""

    base_url: str = ""
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    pause: float = 0.0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: Request) -> Response:
        if self.pause:
            await asyncio.sleep(self.pause)
        headers = {name.lower(): value for name, value in request.headers.items()}
        loop_time = asyncio.get_running_loop().time()
        received = Received(
            request.path_params["platform"], str(request.url), headers, await request.body(), loop_time
        )
        self.requests.append(received)
        self.arrived.set()
        return Response(status_code=self.statuses.pop(0) if self.statuses else 200)

    def of(self, platform: str) -> list[Received]:
        return [request for request in self.requests if request.platform == platform]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recorder = Receiver()
    app = Starlette(routes=[Route("/webhooks/{platform}", recorder.handle, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    recorder.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    async with asyncio.timeout(5):
        while not server.started:  # noqa: ASYNC110  # uvicorn offers no "started" event to await
            await asyncio.sleep(0.01)
    yield recorder
    server.should_exit = True
    await serving
    sock.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


DispatcherFactory = Callable[..., WebhookDispatcher]


@pytest.fixture
async def dispatcher_for(receiver: Receiver, http: httpx.AsyncClient) -> AsyncIterator[DispatcherFactory]:
    started: list[WebhookDispatcher] = []

    def build(seed: int = 7, target: str | None = None, **config: object) -> WebhookDispatcher:
        settings = SETTINGS.model_copy(update={"webhook_target_url": target or receiver.base_url})
        dispatcher = WebhookDispatcher(settings, http, clock=lambda: NOW, seed=seed)
        dispatcher.config = WebhookConfig.model_validate({**FAST, **config})
        started.append(dispatcher)
        return dispatcher

    yield build
    for dispatcher in started:
        await dispatcher.stop(drain_seconds=0)


async def delivered(dispatcher: WebhookDispatcher, within: float = 5.0) -> dict[str, int]:
    await dispatcher.start()
    assert await dispatcher.wait_idle(within), dispatcher.stats()
    return dispatcher.stats()


def contact(record_id: str, kind: Kind = "updated", *fields: str, **properties: str | None) -> ChangeEvent:
    record = {"id": record_id, "properties": {"hs_object_id": record_id, **properties}}
    changed = fields or tuple(properties)
    return ChangeEvent(System.HUBSPOT, "contacts", record_id, kind, changed, NOW, record, "api")


def shopify_customer(number: int, kind: Kind = "updated", email: str = "a@example.com") -> ChangeEvent:
    record: dict[str, object] = {"id": number, "email": email, "updated_at": "2024-06-10T12:00:00-04:00"}
    return ChangeEvent(System.SHOPIFY, "customers", str(number), kind, ("email",), NOW, record, "scenario")


# --- HubSpot ---------------------------------------------------------------------------------------


async def test_hubspot_changes_arrive_as_one_signed_json_array_batch(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for()
    await dispatcher.on_change(contact("101", "created", email="jane@acme.example", firstname="Jane"))
    await dispatcher.on_change(contact("101", "updated", phone="+16135550100"))
    await dispatcher.on_change(contact("102", "deleted"))
    await delivered(dispatcher)

    (batch,) = receiver.of("hubspot")
    events = batch.json()
    assert isinstance(events, list)
    types = [(e["subscriptionType"], e.get("propertyName"), e.get("propertyValue")) for e in events]
    assert types == [
        ("contact.creation", None, None),
        ("contact.propertyChange", "email", "jane@acme.example"),
        ("contact.propertyChange", "firstname", "Jane"),
        ("contact.propertyChange", "phone", "+16135550100"),
        ("contact.deletion", None, None),
    ]
    first = events[0]
    assert first["objectId"] == 101
    assert first["portalId"] == SETTINGS.hubspot_portal_id
    assert first["appId"] == SETTINGS.hubspot_app_id
    assert first["occurredAt"] == 1718035200000
    assert first["attemptNumber"] == 0
    assert first["changeSource"] == "INTEGRATION"
    assert len({e["eventId"] for e in events}) == 5
    assert all(isinstance(e["subscriptionId"], int) for e in events)


async def test_hubspot_batch_signatures_verify_over_the_uri_posted_to(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for()
    await dispatcher.on_change(contact("101", email="jane@acme.example"))
    await delivered(dispatcher)

    (batch,) = receiver.of("hubspot")
    assert batch.url == f"{receiver.base_url}/webhooks/hubspot"
    assert batch.headers["x-hubspot-request-timestamp"] == "1718035200000"
    secret = SETTINGS.hubspot_client_secret.get_secret_value()
    result = verify_hubspot_v3(
        secret,
        "POST",
        batch.url,
        batch.body,
        signature=batch.headers["x-hubspot-signature-v3"],
        timestamp=batch.headers["x-hubspot-request-timestamp"],
        now=NOW + timedelta(seconds=2),
    )
    assert result.ok
    assert verify_hubspot_v1(secret, batch.body, batch.headers["x-hubspot-signature"]).ok
    assert not verify_hubspot_v3(
        "wrong",
        "POST",
        batch.url,
        batch.body,
        signature=batch.headers["x-hubspot-signature-v3"],
        timestamp=batch.headers["x-hubspot-request-timestamp"],
        now=NOW,
    ).ok


async def test_hubspot_batches_stay_under_one_hundred_events(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for(batch_window_seconds=0.2)
    for number in range(150):
        await dispatcher.on_change(contact(str(1000 + number), email=f"c{number}@example.com"))
    await delivered(dispatcher)

    sizes = [len(batch.json()) for batch in receiver.of("hubspot")]
    assert sizes == [99, 51]


async def test_only_subscribed_hubspot_properties_fire_events(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for()
    await dispatcher.on_change(
        contact("101", hs_lead_status="NEW", lastmodifieddate="2024-06-10T16:00:00.000Z")
    )
    await dispatcher.on_change(contact("101", email=None))
    await delivered(dispatcher)

    (batch,) = receiver.of("hubspot")
    assert [(e["propertyName"], e["propertyValue"]) for e in batch.json()] == [("email", "")]


async def test_hubspot_retries_a_503_with_a_higher_attempt_number_and_fresh_signature(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    receiver.statuses = [503]
    dispatcher = dispatcher_for()
    await dispatcher.on_change(contact("101", email="jane@acme.example"))
    stats = await delivered(dispatcher)

    first, second = receiver.of("hubspot")
    attempts = [[e["attemptNumber"] for e in r.json()] for r in (first, second)]
    assert attempts == [[0], [1]]
    assert [e["eventId"] for e in first.json()] == [e["eventId"] for e in second.json()]
    secret = SETTINGS.hubspot_client_secret.get_secret_value()
    for request in (first, second):
        headers = request.headers
        assert verify_hubspot_v3(
            secret,
            "POST",
            request.url,
            request.body,
            signature=headers["x-hubspot-signature-v3"],
            timestamp=headers["x-hubspot-request-timestamp"],
            now=NOW,
        ).ok
    assert stats | {"pending": 0} == stats
    assert (stats["sent"], stats["delivered"], stats["retried"], stats["failed"]) == (2, 1, 1, 0)


# --- Shopify ---------------------------------------------------------------------------------------


async def test_shopify_sends_one_signed_post_per_change_with_the_required_headers(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for()
    await dispatcher.on_change(shopify_customer(7045610060001, "created"))
    await dispatcher.on_change(shopify_customer(7045610060001, "updated", email="b@example.com"))
    await dispatcher.on_change(shopify_customer(7045610060001, "deleted"))
    await delivered(dispatcher)

    created, updated, deleted = receiver.of("shopify")
    assert [r.headers["x-shopify-topic"] for r in (created, updated, deleted)] == [
        "customers/create",
        "customers/update",
        "customers/delete",
    ]
    assert updated.json() == {
        "id": 7045610060001,
        "email": "b@example.com",
        "updated_at": "2024-06-10T12:00:00-04:00",
    }
    assert deleted.json() == {"id": 7045610060001}
    secret = SETTINGS.shopify_api_secret.get_secret_value()
    for request in (created, updated, deleted):
        assert verify_shopify_webhook([secret], request.body, request.headers["x-shopify-hmac-sha256"]).ok
        assert request.headers["x-shopify-shop-domain"] == "concord-demo.myshopify.com"
        assert request.headers["x-shopify-api-version"] == "2024-07"
        assert request.headers["x-shopify-triggered-at"] == "2024-06-10T16:00:00.000000000Z"
    assert len({r.headers["x-shopify-webhook-id"] for r in (created, updated, deleted)}) == 3
    assert len({r.headers["x-shopify-event-id"] for r in (created, updated, deleted)}) == 3


async def test_shopify_order_changes_use_the_orders_updated_topic(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for()
    order = ChangeEvent(
        System.SHOPIFY, "orders", "5", "updated", ("financial_status",), NOW, {"id": 5}, "api"
    )
    await dispatcher.on_change(order)
    await delivered(dispatcher)
    assert [r.headers["x-shopify-topic"] for r in receiver.of("shopify")] == ["orders/updated"]


async def test_shopify_retries_keep_webhook_id_body_and_triggered_at(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    receiver.statuses = [503, 500]
    dispatcher = dispatcher_for()
    await dispatcher.on_change(shopify_customer(7045610060001))
    stats = await delivered(dispatcher)

    attempts = receiver.of("shopify")
    assert len(attempts) == 3
    for name in (
        "x-shopify-webhook-id",
        "x-shopify-event-id",
        "x-shopify-triggered-at",
        "x-shopify-hmac-sha256",
    ):
        assert len({r.headers[name] for r in attempts}) == 1
    assert len({r.body for r in attempts}) == 1
    assert (stats["retried"], stats["delivered"]) == (2, 1)


# --- NetSuite callouts -----------------------------------------------------------------------------

NS_CHANGE = ChangeEvent(
    System.NETSUITE,
    "customer",
    "107",
    "updated",
    ("email",),
    NOW,
    {"id": "107", "email": "j@x.example"},
    "api",
)


async def test_netsuite_changes_send_nothing_unless_callouts_are_enabled(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for()
    await dispatcher.on_change(NS_CHANGE)
    await delivered(dispatcher)
    assert receiver.requests == []


async def test_netsuite_callouts_are_signed_and_carry_record_type_id_type_and_record(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for(netsuite_callouts=True)
    await dispatcher.on_change(NS_CHANGE)
    await delivered(dispatcher)

    (callout,) = receiver.of("netsuite")
    assert callout.json() == {
        "recordType": "customer",
        "id": "107",
        "type": "edit",
        "record": {"id": "107", "email": "j@x.example"},
    }
    secret = SETTINGS.netsuite_callout_secret.get_secret_value()
    result = verify_netsuite_callout(
        secret,
        callout.body,
        signature=callout.headers["x-ns-callout-signature"],
        timestamp=callout.headers["x-ns-callout-timestamp"],
        now=NOW,
    )
    assert result.ok


# --- Faults and switches ---------------------------------------------------------------------------


async def test_duplicates_repeat_the_same_delivery(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for(duplicate_rate=1.0)
    await dispatcher.on_change(shopify_customer(1))
    await dispatcher.on_change(contact("101", email="jane@acme.example"))
    stats = await delivered(dispatcher)

    shopify = receiver.of("shopify")
    assert len(shopify) == 2
    assert shopify[0].headers["x-shopify-webhook-id"] == shopify[1].headers["x-shopify-webhook-id"]
    hubspot = receiver.of("hubspot")
    assert len(hubspot) == 2
    assert hubspot[0].json() == hubspot[1].json()
    assert stats["duplicated"] == 2


async def test_drops_discard_deliveries(dispatcher_for: DispatcherFactory, receiver: Receiver) -> None:
    dispatcher = dispatcher_for(drop_rate=1.0)
    await dispatcher.on_change(shopify_customer(1))
    await dispatcher.on_change(contact("101", email="jane@acme.example"))
    stats = await delivered(dispatcher)
    assert receiver.requests == []
    assert (stats["dropped"], stats["sent"]) == (2, 0)


async def arrival_order(dispatcher: WebhookDispatcher, receiver: Receiver, count: int) -> list[int]:
    for number in range(count):
        await dispatcher.on_change(shopify_customer(number))
    await delivered(dispatcher)
    order = [int(json.loads(r.body)["id"]) for r in receiver.requests]
    receiver.requests.clear()
    return order


async def test_reorder_releases_deliveries_out_of_order_reproducibly(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    switches = {"reorder": True, "reorder_window_seconds": 0.1, "max_in_flight": 1}
    first = await arrival_order(dispatcher_for(seed=3, **switches), receiver, 8)
    again = await arrival_order(dispatcher_for(seed=3, **switches), receiver, 8)
    other = await arrival_order(dispatcher_for(seed=4, **switches), receiver, 8)
    in_order = await arrival_order(dispatcher_for(seed=3, max_in_flight=1), receiver, 8)

    assert sorted(first) == list(range(8))
    assert first != list(range(8))
    assert first == again
    assert other != first
    assert in_order == list(range(8))


async def test_extra_delay_holds_deliveries_back(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    dispatcher = dispatcher_for(delay_seconds=0.3)
    queued_at = asyncio.get_running_loop().time()
    await dispatcher.on_change(shopify_customer(1))
    await delivered(dispatcher)
    (request,) = receiver.requests
    assert request.at - queued_at >= 0.3


async def test_connection_errors_are_retried_until_max_attempts(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    target = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    dispatcher = dispatcher_for(target=target, max_attempts=3)
    await dispatcher.on_change(shopify_customer(1))
    stats = await delivered(dispatcher)
    assert (stats["sent"], stats["retried"], stats["failed"], stats["delivered"]) == (3, 2, 1, 0)


async def test_slow_answers_time_out_and_are_retried(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    receiver.pause = 0.3
    dispatcher = dispatcher_for(timeout_seconds=0.1, max_attempts=2)
    await dispatcher.on_change(shopify_customer(1))
    stats = await delivered(dispatcher)
    assert (stats["sent"], stats["retried"], stats["failed"]) == (2, 1, 1)


async def test_stop_cancels_pending_retries_promptly(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    receiver.statuses = [503]
    dispatcher = dispatcher_for(retry_base_seconds=60.0, max_attempts=5)
    await dispatcher.on_change(shopify_customer(1))
    await dispatcher.start()
    async with asyncio.timeout(5):
        await receiver.arrived.wait()
    async with asyncio.timeout(1):
        await dispatcher.stop(drain_seconds=0.1)
    assert dispatcher.stats()["retried"] == 1
    assert len(receiver.requests) == 1


async def test_disabled_or_untargeted_dispatchers_queue_nothing(
    dispatcher_for: DispatcherFactory, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    disabled = dispatcher_for(enabled=False)
    await disabled.on_change(shopify_customer(1))
    untargeted = WebhookDispatcher(SETTINGS, http, clock=lambda: NOW, seed=1)
    await untargeted.on_change(shopify_customer(1))
    assert disabled.stats()["received"] == untargeted.stats()["received"] == 0
    assert disabled.stats()["pending"] == untargeted.stats()["pending"] == 0


async def test_same_seed_gives_the_same_delivery_ids(
    dispatcher_for: DispatcherFactory, receiver: Receiver
) -> None:
    async def webhook_ids(seed: int) -> list[str]:
        dispatcher = dispatcher_for(seed=seed)
        await dispatcher.on_change(shopify_customer(1))
        await dispatcher.on_change(shopify_customer(2))
        await delivered(dispatcher)
        found = [r.headers["x-shopify-webhook-id"] for r in receiver.requests]
        receiver.requests.clear()
        return found

    first = await webhook_ids(11)
    assert await webhook_ids(11) == first
    assert await webhook_ids(12) != first
