"""Ingest's webhook endpoints over HTTP (Starlette TestClient) with a recording publisher.

These prove the HTTP contract: which deliveries are made durable and which statuses the others get.
That the durable part really lands in Kafka is proven in tests/integration/ingest.
"""

from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from services.ingest.app import IngestPorts, build_app
from services.ingest.settings import IngestSettings
from shared.adapters.kafka import build_broker
from shared.core.events import RawNotificationReceived
from shared.core.model import ExternalRef, System
from shared.core.testing import RecordingPublisher
from tests.support.webhooks import (
    HUBSPOT_SECRET,
    NETSUITE_SECRET,
    SHOPIFY_SECRET,
    as_body,
    hubspot_events,
    hubspot_headers,
    netsuite_headers,
    shopify_headers,
)

HUBSPOT_URL = "http://testserver/webhooks/hubspot"


@pytest.fixture
def settings() -> IngestSettings:
    return IngestSettings(
        hubspot_client_secret=HUBSPOT_SECRET,
        shopify_api_secret=SHOPIFY_SECRET,
        netsuite_callout_secret=NETSUITE_SECRET,
        max_body_bytes=64_000,
        kafka_bootstrap="127.0.0.1:1",
    )


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def client(settings: IngestSettings, publisher: RecordingPublisher) -> TestClient:
    ports = IngestPorts(broker=build_broker(settings), publisher=publisher)
    return TestClient(build_app(settings, ports=ports))  # lifespan not started: no broker needed


def test_signed_hubspot_batch_becomes_one_raw_notification_per_event(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    body = as_body(hubspot_events(3))
    response = client.post("/webhooks/hubspot", content=body, headers=hubspot_headers(body, HUBSPOT_URL))

    assert response.status_code == 200
    assert response.json() == {"accepted": 3}
    assert [type(m) for m in publisher.published] == [RawNotificationReceived] * 3
    first = publisher.published[0]
    assert isinstance(first, RawNotificationReceived)
    assert first.ref == ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="51")
    assert first.delivery_id == "62515:25:100"
    assert first.topic == "contact.propertyChange"


def test_the_same_hubspot_event_redelivered_gets_the_same_message_id(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    body = as_body(hubspot_events(2))
    retry = as_body([{**event, "attemptNumber": 1} for event in hubspot_events(2)])
    client.post("/webhooks/hubspot", content=body, headers=hubspot_headers(body, HUBSPOT_URL))
    client.post("/webhooks/hubspot", content=retry, headers=hubspot_headers(retry, HUBSPOT_URL))

    ids = [message.message_id for message in publisher.published]
    assert ids[:2] == ids[2:]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda body, headers: (body[:-2] + b"]]", headers), id="one-byte-changed"),
        pytest.param(
            lambda body, headers: (body, hubspot_headers(body, HUBSPOT_URL, secret="wrong")),
            id="wrong-secret",
        ),
        pytest.param(
            lambda body, headers: (
                body,
                hubspot_headers(body, HUBSPOT_URL, at=datetime.now(UTC) - timedelta(minutes=6)),
            ),
            id="six-minutes-old",
        ),
        pytest.param(lambda body, headers: (body, {"content-type": "application/json"}), id="unsigned"),
    ],
)
def test_untrusted_hubspot_delivery_gets_401_and_publishes_nothing(
    client: TestClient, publisher: RecordingPublisher, tamper: object
) -> None:
    body = as_body(hubspot_events(2))
    sent_body, headers = tamper(body, hubspot_headers(body, HUBSPOT_URL))  # type: ignore[operator]

    response = client.post("/webhooks/hubspot", content=sent_body, headers=headers)

    assert response.status_code == 401
    assert publisher.published == []


def test_hubspot_signature_over_the_public_url_is_accepted_behind_a_proxy(
    settings: IngestSettings, publisher: RecordingPublisher
) -> None:
    proxied = settings.model_copy(update={"public_base_url": "https://hooks.concord.example"})
    client = TestClient(
        build_app(proxied, ports=IngestPorts(broker=build_broker(proxied), publisher=publisher))
    )
    body = as_body(hubspot_events(1))
    headers = hubspot_headers(body, "https://hooks.concord.example/webhooks/hubspot")

    assert client.post("/webhooks/hubspot", content=body, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 400, "not_json"),
        (b'{"an": "object"}', 400, "invalid_payload"),
        (b"[]", 400, "invalid_payload"),
        (b'[{"eventId": "x"}]', 400, "invalid_payload"),
    ],
)
def test_malformed_hubspot_body_gets_400(
    client: TestClient, publisher: RecordingPublisher, body: bytes, status: int, reason: str
) -> None:
    response = client.post("/webhooks/hubspot", content=body, headers=hubspot_headers(body, HUBSPOT_URL))
    assert (response.status_code, response.json()["error"]) == (status, reason)
    assert publisher.published == []


def test_huge_body_gets_413_and_wrong_content_type_415(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    huge = as_body(hubspot_events(1)) + b" " * 70_000
    assert (
        client.post("/webhooks/hubspot", content=huge, headers=hubspot_headers(huge, HUBSPOT_URL)).status_code
        == 413
    )
    body = as_body(hubspot_events(1))
    headers = hubspot_headers(body, HUBSPOT_URL) | {"content-type": "text/plain"}
    assert client.post("/webhooks/hubspot", content=body, headers=headers).status_code == 415
    assert publisher.published == []


def test_kafka_not_taking_the_delivery_gets_503(client: TestClient, publisher: RecordingPublisher) -> None:
    publisher.fail_with = TimeoutError("no broker")
    body = as_body(hubspot_events(1))
    response = client.post("/webhooks/hubspot", content=body, headers=hubspot_headers(body, HUBSPOT_URL))
    assert response.status_code == 503


def test_shopify_webhook_is_verified_and_keyed_by_its_resource(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    body = as_body({"id": 7001, "email": "jane@acme.example", "updated_at": "2026-11-28T10:00:00Z"})
    response = client.post(
        "/webhooks/shopify", content=body, headers=shopify_headers(body, webhook_id="wh-9")
    )

    assert response.status_code == 200
    (message,) = publisher.published
    assert isinstance(message, RawNotificationReceived)
    assert message.ref == ExternalRef(system=System.SHOPIFY, object_type="customers", external_id="7001")
    assert message.delivery_id == "wh-9"
    assert "x-shopify-hmac-sha256" not in message.headers


def test_shopify_unknown_topic_and_bad_hmac_are_refused(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    body = as_body({"id": 1})
    unknown = client.post(
        "/webhooks/shopify", content=body, headers=shopify_headers(body, topic="carts/update")
    )
    forged = client.post(
        "/webhooks/shopify",
        content=body,
        headers=shopify_headers(b"other") | {"content-type": "application/json"},
    )
    assert (unknown.status_code, unknown.json()["error"]) == (400, "unknown_topic")
    assert forged.status_code == 401
    assert publisher.published == []


def test_netsuite_callout_is_verified(client: TestClient, publisher: RecordingPublisher) -> None:
    body = as_body({"recordType": "customer", "id": "1042", "type": "edit", "record": {"id": "1042"}})
    assert client.post("/webhooks/netsuite", content=body, headers=netsuite_headers(body)).status_code == 200
    assert (
        client.post("/webhooks/netsuite", content=body + b" ", headers=netsuite_headers(body)).status_code
        == 401
    )
    assert len(publisher.published) == 1


def test_rejections_are_counted_by_reason_in_metrics(client: TestClient) -> None:
    client.post("/webhooks/hubspot", content=b"[]", headers={"content-type": "application/json"})
    metrics = client.get("/metrics").text
    assert (
        'concord_ingest_webhooks_rejected_total{platform="hubspot",reason="signature_missing"} 1.0' in metrics
    )


def test_healthz_answers_without_any_backend(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "alive"}
    assert client.get("/readyz").status_code == 503
