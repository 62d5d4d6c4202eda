"""With its Kafka stopped, ingest answers a valid webhook 503; once Kafka is back, the platform's retry
is accepted and the observation appears exactly once. Runs on a private broker it may stop."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from pymongo.database import Database

from shared.core.events import RecordObserved, topic_for
from tests.support.ingest import ingest_settings, serve_ingest
from tests.support.private_kafka import PrivateKafka
from tests.support.sandbox import RunningSandbox, free_port, serve_sandbox
from tests.support.topics import read_messages
from tests.support.webhooks import as_body, hubspot_events, hubspot_headers


@pytest.fixture
def private_kafka(tmp_path: Path) -> Iterator[PrivateKafka]:
    kafka = PrivateKafka(tmp_path / "run")
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()


@pytest.fixture
def sandbox(mongo_uri: str) -> Iterator[RunningSandbox]:
    with serve_sandbox(mongo_uri) as running:
        yield running


async def test_webhook_gets_503_while_kafka_is_down_and_the_retry_is_observed_once(
    private_kafka: PrivateKafka,
    sandbox: RunningSandbox,
    mongo_uri: str,
    mongo_db: Database[dict[str, object]],
    unique: str,
) -> None:
    settings = ingest_settings(
        kafka_bootstrap=private_kafka.bootstrap,
        mongo_uri=mongo_uri,
        database=mongo_db.name,
        prefix=f"test.outage.{unique}",
        port=free_port(),
        hubspot=sandbox.hubspot(),
        publish_timeout_seconds=2.0,
    )
    async with serve_ingest(settings) as ingest, httpx.AsyncClient(timeout=15.0) as http:
        created = await http.post(
            f"{sandbox.base_url}/_admin/records/hubspot/contacts",
            json={
                "record": {"properties": {"email": "outage@acme.example", "lastname": "Outage"}},
                "emit": False,
            },
        )
        contact = int(created.json()["id"])
        events = hubspot_events(1, first_object_id=contact, event_base=random.randint(10**6, 10**9))
        url = f"{ingest.base_url}/webhooks/hubspot"

        await asyncio.to_thread(private_kafka.stop)
        body = as_body(events)
        during = await http.post(url, content=body, headers=hubspot_headers(body, url))
        await asyncio.to_thread(private_kafka.start)
        retries = []
        for attempt in range(
            1, 30
        ):  # HubSpot retries with the same events, a higher attemptNumber, re-signed
            retry = as_body([{**event, "attemptNumber": attempt} for event in events])
            retries.append(
                (await http.post(url, content=retry, headers=hubspot_headers(retry, url))).status_code
            )
            if retries[-1] == 200:
                break
            await asyncio.sleep(1.0)

        ref = f"hubspot:contacts:{contact}"
        topic = topic_for("record_observed", settings.topic_prefix)
        await read_messages(private_kafka.bootstrap, topic, until=lambda got: _of(got, ref) != [], seconds=60)
        # Read on for a while: a duplicate would show up here.
        observed = _of(
            await read_messages(private_kafka.bootstrap, topic, until=lambda got: False, seconds=4), ref
        )

    assert during.status_code == 503
    assert retries[-1] == 200
    assert set(retries[:-1]) <= {503}
    assert len(observed) == 1
    assert observed[0].record["properties"]["lastname"] == "Outage"  # type: ignore[index, call-overload]
    assert uuid.UUID(observed[0].message_id)


def _of(messages: Sequence[object], ref: str) -> list[RecordObserved]:
    return [m for m in messages if isinstance(m, RecordObserved) and m.ref.key == ref]
