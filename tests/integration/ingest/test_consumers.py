"""Malformed and poison input against a running ingest on real Kafka, and refresh requests.

Malformed HTTP deliveries get their documented status; a poison record on the raw topic goes to its
dead-letter topic with the reason; through all of it the service keeps serving. A refresh request is
answered with observations of the requested surface, and a deletion for a record that is gone.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaProducer

from shared.core.events import (
    RecordDeleted,
    RecordObserved,
    RefreshRequested,
    dead_letter_topic,
    first_in_chain,
    message_to_json,
    topic_for,
)
from shared.core.model import ExternalRef, Surface, System
from tests.integration.ingest.test_webhooks import create_record
from tests.support.ingest import RunningIngest
from tests.support.sandbox import RunningSandbox
from tests.support.topics import read_messages, read_records
from tests.support.webhooks import as_body, hubspot_events, hubspot_headers, shopify_headers


async def test_malformed_deliveries_get_their_status_and_ingest_keeps_serving(
    ingest: RunningIngest, sandbox: RunningSandbox, http: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    hubspot_url = f"{ingest.base_url}/webhooks/hubspot"
    shopify_url = f"{ingest.base_url}/webhooks/shopify"
    not_json, wrong_shape = b"{not json", as_body({"eventId": 1})
    huge = as_body(hubspot_events(1)) + b" " * (ingest.settings.max_body_bytes + 1)
    unknown = as_body({"id": 1})
    answers = [
        await http.post(hubspot_url, content=not_json, headers=hubspot_headers(not_json, hubspot_url)),
        await http.post(hubspot_url, content=wrong_shape, headers=hubspot_headers(wrong_shape, hubspot_url)),
        await http.post(hubspot_url, content=huge, headers=hubspot_headers(huge, hubspot_url)),
        await http.post(shopify_url, content=unknown, headers=shopify_headers(unknown, topic="carts/update")),
    ]
    customer_id = await create_record(http, sandbox, "shopify", "customers", {"email": "still@acme.example"})
    customer = (await http.get(f"{sandbox.base_url}/_admin/records/shopify/customers/{customer_id}")).json()
    body = as_body(customer)
    valid = await http.post(
        shopify_url, content=body, headers=shopify_headers(body, webhook_id=uuid.uuid4().hex)
    )

    assert [(a.status_code, a.json()["error"]) for a in answers] == [
        (400, "not_json"),
        (400, "invalid_payload"),
        (413, "too_large"),
        (400, "unknown_topic"),
    ]
    assert valid.status_code == 200
    ref = f"shopify:customers:{customer_id}"
    observed = await read_messages(
        kafka_bootstrap,
        topic_for("record_observed", ingest.settings.topic_prefix),
        until=lambda got: any(isinstance(m, RecordObserved) and m.ref.key == ref for m in got),
    )
    assert any(isinstance(m, RecordObserved) and m.ref.key == ref for m in observed)


async def test_poison_records_on_the_raw_topic_are_dead_lettered_with_the_reason_and_the_rest_flows(
    ingest: RunningIngest, sandbox: RunningSandbox, http: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    raw_topic = topic_for("raw_notification_received", ingest.settings.topic_prefix)
    wrong_type = _refresh_request(
        [ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="1")]
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(raw_topic, b"\x00 not a message", key=b"poison")
        await producer.send_and_wait(raw_topic, message_to_json(wrong_type), key=b"poison")
    finally:
        await producer.stop()
    contact = await create_record(
        http, sandbox, "hubspot", "contacts", {"properties": {"email": "after@acme.example"}}
    )
    events = hubspot_events(1, first_object_id=int(contact), event_base=int(uuid.uuid4().int % 10**9))
    body, url = as_body(events), f"{ingest.base_url}/webhooks/hubspot"
    assert (await http.post(url, content=body, headers=hubspot_headers(body, url))).status_code == 200

    letters = await read_records(
        kafka_bootstrap, dead_letter_topic(raw_topic), until=lambda got: len(got) >= 2
    )
    ref = f"hubspot:contacts:{contact}"
    observed = await read_messages(
        kafka_bootstrap,
        topic_for("record_observed", ingest.settings.topic_prefix),
        until=lambda got: any(m.ref.key == ref for m in got if isinstance(m, RecordObserved)),
    )

    assert sorted(letter.value for letter in letters) == sorted(
        [b"\x00 not a message", message_to_json(wrong_type)]
    )
    reasons = [dict(letter.headers)["dlq-reason"].decode() for letter in letters]
    assert any("invalid message" in reason for reason in reasons)
    assert any("does not consume refresh_requested" in reason for reason in reasons)
    assert all(dict(letter.headers)["dlq-source-topic"].decode() == raw_topic for letter in letters)
    assert any(isinstance(m, RecordObserved) and m.ref.key == ref for m in observed)


async def test_a_pulse_refresh_answers_each_record_with_a_pulse_observation_or_a_deletion(
    ingest: RunningIngest, sandbox: RunningSandbox, http: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    contact = await create_record(
        http, sandbox, "hubspot", "contacts", {"properties": {"email": "pulse@acme.example"}}
    )
    present = ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id=contact)
    gone = ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="987654321")
    request = _refresh_request([present, gone])
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        topic = topic_for("refresh_requested", ingest.settings.topic_prefix)
        await producer.send_and_wait(topic, message_to_json(request), key=present.key.encode())
    finally:
        await producer.stop()

    def answers(got: list[object]) -> list[object]:
        return [
            m
            for m in got
            if isinstance(m, RecordObserved | RecordDeleted) and m.causation_id == request.message_id
        ]

    messages = await read_messages(
        kafka_bootstrap,
        topic_for("record_observed", ingest.settings.topic_prefix),
        until=lambda got: len(answers(got)) >= 2,  # type: ignore[arg-type]
    )

    by_ref = {m.ref.key: m for m in answers(messages)}  # type: ignore[arg-type, attr-defined]
    assert isinstance(by_ref[present.key], RecordObserved)
    assert isinstance(by_ref[gone.key], RecordDeleted)
    assert {m.surface for m in by_ref.values()} == {Surface.PULSE}  # type: ignore[attr-defined]
    assert {m.correlation_id for m in by_ref.values()} == {request.correlation_id}  # type: ignore[attr-defined]


def _refresh_request(refs: list[ExternalRef]) -> RefreshRequested:
    return RefreshRequested(
        **first_in_chain(producer="test", produced_at=datetime.now(UTC)),
        refs=tuple(refs),
        reason="pulse",
        requested_by="test",
        surface=Surface.PULSE,
    )
