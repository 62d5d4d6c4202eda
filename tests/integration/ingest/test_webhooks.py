"""Webhooks through a running ingest on real Kafka: verified, made durable, hydrated, observed once.

The sandbox plays the platforms: its records are what ingest hydrates from, and its own webhook
dispatcher (signed with the test secrets) delivers the changes made in it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import httpx

from shared.core.events import RecordDeleted, RecordObserved, topic_for
from shared.core.model import Surface
from tests.support.ingest import RunningIngest
from tests.support.sandbox import RunningSandbox
from tests.support.topics import read_messages, record_count
from tests.support.webhooks import as_body, hubspot_events, hubspot_headers


async def create_record(
    http: httpx.AsyncClient, sandbox: RunningSandbox, system: str, object_type: str, record: dict[str, object]
) -> str:
    response = await http.post(
        f"{sandbox.base_url}/_admin/records/{system}/{object_type}", json={"record": record, "emit": False}
    )
    response.raise_for_status()
    return str(response.json()["id"])


def observations_of(refs: set[str], surface: Surface) -> Callable[[Sequence[object]], list[RecordObserved]]:
    """A selector of the observations of ``refs`` through ``surface``."""

    def matching(messages: Sequence[object]) -> list[RecordObserved]:
        return [
            m
            for m in messages
            if isinstance(m, RecordObserved) and m.ref.key in refs and m.surface is surface
        ]

    return matching


async def test_a_signed_hubspot_batch_of_n_events_yields_n_hydrated_observations(
    ingest: RunningIngest, sandbox: RunningSandbox, http: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    ids = [
        await create_record(
            http, sandbox, "hubspot", "contacts",
            {"properties": {"email": f"n{i}@acme.example", "firstname": f"Nina{i}", "lastname": "Batch"}},
        )
        for i in range(5)
    ]  # fmt: skip
    events = hubspot_events(5, event_base=random.randint(10**6, 10**9))
    for event, record_id in zip(events, ids, strict=True):
        event["objectId"] = int(record_id)
    body = as_body(events)
    url = f"{ingest.base_url}/webhooks/hubspot"

    response = await http.post(url, content=body, headers=hubspot_headers(body, url))

    assert response.status_code == 200
    refs = {f"hubspot:contacts:{record_id}" for record_id in ids}
    observed_topic = topic_for("record_observed", ingest.settings.topic_prefix)
    select = observations_of(refs, Surface.WEBHOOK)
    messages = await read_messages(kafka_bootstrap, observed_topic, until=lambda got: len(select(got)) >= 5)
    observed = select(messages)
    assert sorted(m.ref.key for m in observed) == sorted(refs)
    for message in observed:
        properties = message.record["properties"]
        assert isinstance(properties, dict)
        assert properties["lastname"] == "Batch"  # hydrated: the event carried only the email
        assert (message.platform_event_id or "").startswith("62515:25:")
        assert message.causation_id is not None


async def test_tampered_wrongly_signed_or_stale_hubspot_batches_get_401_and_nothing_is_published(
    ingest: RunningIngest, http: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    raw_topic = topic_for("raw_notification_received", ingest.settings.topic_prefix)
    before = await record_count(kafka_bootstrap, raw_topic)
    body = as_body(hubspot_events(3, event_base=random.randint(10**6, 10**9)))
    url = f"{ingest.base_url}/webhooks/hubspot"
    tampered = body.replace(b"person0@", b"person9@", 1)  # one byte changed
    attempts = [
        (tampered, hubspot_headers(body, url)),
        (body, hubspot_headers(body, url, secret="not-the-secret")),
        (body, hubspot_headers(body, url, at=datetime.now(UTC) - timedelta(minutes=6))),
    ]

    statuses = [
        (await http.post(url, content=sent, headers=headers)).status_code for sent, headers in attempts
    ]

    assert len(tampered) == len(body)
    assert tampered != body
    assert statuses == [401, 401, 401]
    assert await record_count(kafka_bootstrap, raw_topic) == before


async def test_changes_made_in_each_platform_arrive_as_webhook_observations_and_deletions(
    ingest: RunningIngest, sandbox: RunningSandbox, http: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    await http.put(f"{sandbox.base_url}/_admin/webhooks/config", json={"netsuite_callouts": True})
    contact = await create_record(
        http, sandbox, "hubspot", "contacts", {"properties": {"email": "e2e@acme.example"}}
    )
    customer = await create_record(http, sandbox, "shopify", "customers", {"email": "e2e@acme.example"})
    ns_customer = await create_record(
        http, sandbox, "netsuite", "customer", {"companyName": "E2E Ltd", "email": "e2e@acme.example"}
    )
    edits = [
        ("hubspot", "contacts", contact, {"properties": {"firstname": "Edna"}}),
        ("shopify", "customers", customer, {"first_name": "Edna"}),
        ("netsuite", "customer", ns_customer, {"firstName": "Edna"}),
    ]
    for system, object_type, record_id, changes in edits:
        edit = {
            "system": system,
            "object_type": object_type,
            "id": record_id,
            "changes": changes,
            "emit": True,
        }
        (await http.post(f"{sandbox.base_url}/_admin/edit", json=edit)).raise_for_status()
    deleted = await http.delete(f"{sandbox.base_url}/_admin/records/shopify/customers/{customer}?emit=true")
    deleted.raise_for_status()

    refs = {
        f"hubspot:contacts:{contact}",
        f"shopify:customers:{customer}",
        f"netsuite:customer:{ns_customer}",
    }
    select = observations_of(refs, Surface.WEBHOOK)

    def arrived(got: Sequence[object]) -> bool:
        gone = [
            m for m in got if isinstance(m, RecordDeleted) and m.ref.key == f"shopify:customers:{customer}"
        ]
        return len({m.ref.key for m in select(got)}) == 3 and bool(gone)

    observed_topic = topic_for("record_observed", ingest.settings.topic_prefix)
    messages = await read_messages(kafka_bootstrap, observed_topic, until=arrived)

    assert arrived(messages)
    latest = {m.ref.key: m for m in select(messages)}
    properties = latest[f"hubspot:contacts:{contact}"].record["properties"]
    assert isinstance(properties, dict)
    assert properties["firstname"] == "Edna"
    assert latest[f"shopify:customers:{customer}"].record["first_name"] == "Edna"
    assert latest[f"netsuite:customer:{ns_customer}"].record["firstName"] == "Edna"
