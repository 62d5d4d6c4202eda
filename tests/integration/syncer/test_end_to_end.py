"""Acceptance (issue 7), every hop real: approving HubSpot -> NetSuite for an email conflict updates
NetSuite, publishes a SyncResult, and the discrepancy resolves after the read-back.

Kafka, FerretDB and the sandbox over HTTP; ingest (its refresh consumer), the checker app (link and
evaluate stages) and the syncer run in-process on the test's topics and database. The checker first
finds the conflict from records ingest read; the command is built from that finding as the dashboard
builds it; the syncer's RefreshRequested is answered by ingest, and the checker publishes Resolved.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from pymongo import AsyncMongoClient

from services.checker.app import build_app as build_checker
from services.checker.pulse import PulseSettings
from services.checker.settings import CheckerSettings
from services.syncer.settings import SyncerSettings
from shared.adapters.kafka import KafkaMessagePublisher, build_broker, ensure_topics
from shared.core.events import (
    AnyMessage,
    DiscrepancyOpened,
    DiscrepancyResolved,
    OneDirectionSync,
    RefreshRequested,
    SyncResult,
    first_in_chain,
    topic_for,
)
from shared.core.model import ExternalRef, Surface, System
from tests.integration.checker.topic_reader import TopicReader
from tests.integration.syncer.support import Platform, command, final_record, publish, running_syncer
from tests.support.ingest import ingest_settings, serve_ingest
from tests.support.sandbox import free_port

EMAIL = ("email",)
DIMENSION = "customer_contact"


@contextlib.asynccontextmanager
async def ingest_and_checker(settings: SyncerSettings, platform: Platform) -> AsyncIterator[None]:
    """Ingest (refresh consumer, no polling) and the checker (no pulse) beside the syncer."""
    ingest = ingest_settings(
        kafka_bootstrap=settings.kafka_bootstrap, mongo_uri=settings.mongodb_uri.get_secret_value(),
        database=settings.mongodb_database, prefix=settings.topic_prefix, port=free_port(),
        hubspot=platform.sandbox.hubspot(), netsuite=platform.sandbox.netsuite(), topic_partitions=1,
    )  # fmt: skip
    checker = CheckerSettings.model_validate({
        "kafka_bootstrap": settings.kafka_bootstrap, "mongodb_uri": settings.mongodb_uri,
        "mongodb_database": settings.mongodb_database, "topic_prefix": settings.topic_prefix,
        "group_id": f"checker-{settings.topic_prefix}", "pulse": PulseSettings(enabled=False),
        "batch_timeout_ms": 50, "topic_partitions": 1,
    })  # fmt: skip
    await ensure_topics(settings.kafka_bootstrap, settings.topic_prefix, partitions=1)
    async with serve_ingest(ingest), build_checker(checker):
        yield


async def ask_ingest_to_read(settings: SyncerSettings, *refs: ExternalRef) -> None:
    """What a pulse would publish: read these records now (ingest answers with observations)."""
    request = RefreshRequested(
        **first_in_chain(producer="test", produced_at=datetime.now(UTC)),
        refs=refs, reason="operator", surface=Surface.PULSE, requested_by="test",
    )  # fmt: skip
    broker = build_broker(settings)
    async with broker:
        await broker.connect()
        await KafkaMessagePublisher(broker, prefix=settings.topic_prefix).publish(request)


def opened_conflict(messages: list[AnyMessage]) -> DiscrepancyOpened | None:
    found = [m for m in messages if isinstance(m, DiscrepancyOpened) and m.finding.dimension == DIMENSION]
    return found[0] if found else None


def resolved(messages: list[AnyMessage], discrepancy_id: str) -> DiscrepancyResolved | None:
    found = [m for m in messages if isinstance(m, DiscrepancyResolved) and m.discrepancy_id == discrepancy_id]
    return found[0] if found else None


async def verified_write(settings: SyncerSettings, command_id: str) -> dict[str, object] | None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        settings.mongodb_uri.get_secret_value(), tz_aware=True
    )
    try:
        return await client[settings.mongodb_database]["sync_writes"].find_one({"command_id": command_id})
    finally:
        await client.close()


async def test_approving_hubspot_to_netsuite_resolves_the_email_conflict_after_the_readback(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    hubspot = await platform.create(
        System.HUBSPOT, "contacts", {"properties": {"email": "alice@new.example", "firstname": "Alice"}}
    )
    netsuite = await platform.create(System.NETSUITE, "customer", {
        "email": "alice@old.example", "firstName": "Alice", "isPerson": True,
        "externalId": f"hubspot:{hubspot.external_id}",
    })  # fmt: skip
    prefix = settings.topic_prefix
    async with (
        ingest_and_checker(settings, platform),
        running_syncer(settings),
        TopicReader(settings.kafka_bootstrap, topic_for("discrepancy_opened", prefix)) as openings,
        TopicReader(settings.kafka_bootstrap, topic_for("discrepancy_resolved", prefix)) as resolutions,
        TopicReader(settings.kafka_bootstrap, topic_for("sync_result", prefix)) as results,
    ):
        await ask_ingest_to_read(settings, hubspot, netsuite)
        opened = opened_conflict(
            await openings.until(lambda m: opened_conflict(m) is not None, within_seconds=90)
        )
        assert opened is not None
        assert {(v.system, v.value) for v in opened.finding.values} >= {
            (System.HUBSPOT, "alice@new.example"), (System.NETSUITE, "alice@old.example")
        }  # fmt: skip
        assert await platform.writes(netsuite) == 0

        seen = (await platform.seen(hubspot, EMAIL), await platform.seen(netsuite, EMAIL))
        sync = command(
            OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=EMAIL), seen,
            entity=opened.finding.entity_id, discrepancy_id=opened.discrepancy_id, dimension=DIMENSION,
        )  # fmt: skip
        await publish(settings.kafka_bootstrap, prefix, sync)
        record = await final_record(mongo_uri, settings.mongodb_database, sync.command_id)
        (result,) = [m for m in await results.until(lambda m: len(m) >= 1) if isinstance(m, SyncResult)]
        messages = await resolutions.until(lambda m: resolved(m, opened.discrepancy_id) is not None,
                                           within_seconds=90)  # fmt: skip
        resolution = resolved(messages, opened.discrepancy_id)

    assert record.state.value == "applied"
    assert await platform.email(netsuite) == "alice@new.example"
    assert (await platform.writes(netsuite), await platform.writes(hubspot)) == (1, 0)
    assert (result.command_id, result.outcome, result.discrepancy_id) == (
        sync.command_id, "applied", opened.discrepancy_id
    )  # fmt: skip
    assert resolution is not None
    assert resolution.correlation_id == sync.correlation_id, "resolved by the chain the command started"
    write = await verified_write(settings, sync.command_id)
    assert write is not None and write.get("verified_at") is not None, "the checker recognised the echo"
