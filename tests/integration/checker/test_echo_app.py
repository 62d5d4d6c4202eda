"""Echoes through the checker app on real Kafka and FerretDB (issue 6, build item 4).

A Concord write (logged in ``sync_writes`` as the syncer logs it) coming back through a webhook is
recognised as its echo and opens nothing; a different value inside the echo window is one hard
conflict carrying both timelines: Concord's write (value, when written) and the platform's other
change (value, source and observed times, surface).
"""

import asyncio
from datetime import UTC, datetime, timedelta

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.checker.app import build_app
from services.checker.settings import CheckerSettings
from shared.adapters.kafka import ensure_topics
from shared.adapters.mongo.sync_writes import MongoSyncWriteRecorder
from shared.core.echo import is_echo_conflict
from shared.core.events import AnyMessage, DiscrepancyOpened, topic_for
from shared.core.findings import DiscrepancyKind, PerFieldChoice
from shared.core.model import EntityId, Surface, System
from shared.core.ports import ExpectedWrite
from tests.component.checker.records import (
    hubspot_contact,
    netsuite_customer,
    observed,
    ref,
    shopify_customer,
)
from tests.integration.checker.conftest import publish
from tests.integration.checker.topic_reader import TopicReader

Document = dict[str, object]


def _trio(n: int, at: datetime) -> list[AnyMessage]:
    email = f"c{n}@acme.example"
    return [
        observed(ref(System.HUBSPOT, f"{n}"), hubspot_contact(f"{n}", email=email, updated=at), updated=at),
        observed(ref(System.SHOPIFY, f"70{n}"), shopify_customer(f"70{n}", email=email, updated=at), updated=at),
        observed(ref(System.NETSUITE, f"10{n}"), netsuite_customer(f"10{n}", email=email, names=f"shopify:70{n}",
                                                                   updated=at), updated=at),
    ]  # fmt: skip


async def _entity_of(database: AsyncDatabase[Document], key: str, links: int) -> EntityId:
    async with asyncio.timeout(60):
        while True:  # poll with a deadline: the stored links are the only signal
            if await database["links"].count_documents({}) >= links:
                break
            await asyncio.sleep(0.2)
    document = await database["links"].find_one({"_id": key})
    assert document is not None
    return EntityId(str(document["entity_id"]))


async def _write(
    database: AsyncDatabase[Document], n: int, entity_id: EntityId, at: datetime
) -> ExpectedWrite:
    write = ExpectedWrite(
        write_id=f"w-{n}", command_id=f"cmd-{n}", ref=ref(System.NETSUITE, f"10{n}"), entity_id=entity_id,
        expected={"first_name": "Janet"}, provenance_tag=f"concord:w-{n}", written_at=at,
    )  # fmt: skip
    assert await MongoSyncWriteRecorder(database).record_expected_write(write)
    return write


def _netsuite_shows(n: int, first: str, updated: datetime, seen: datetime) -> AnyMessage:
    record = netsuite_customer(
        f"10{n}", email=f"c{n}@acme.example", first=first, names=f"shopify:70{n}", updated=updated
    )
    return observed(ref(System.NETSUITE, f"10{n}"), record, updated=updated, observed_at=seen)


async def test_an_echo_opens_nothing_and_another_value_in_the_window_is_a_hard_conflict_with_both_timelines(
    settings: CheckerSettings, mongo_uri: str
) -> None:
    await ensure_topics(settings.kafka_bootstrap, settings.topic_prefix, partitions=3)
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, tz_aware=True, tzinfo=UTC)
    database = client[settings.mongodb_database]
    now = datetime.now(UTC).replace(microsecond=0)
    topic = TopicReader(settings.kafka_bootstrap, topic_for("discrepancy_opened", settings.topic_prefix))
    try:
        async with build_app(settings), topic:
            await publish(settings, *_trio(1, now - timedelta(hours=2)), *_trio(2, now - timedelta(hours=2)))
            echoed = await _entity_of(database, "netsuite:customer:101", 6)
            conflicted = await _entity_of(database, "netsuite:customer:102", 6)
            # A record evaluated before the rest of its trio arrived (they travel on different
            # partitions) may open a passing "missing" discrepancy: only what follows the writes counts.
            before = len(await topic.settle())
            written_at = now - timedelta(seconds=30)
            await _write(database, 1, echoed, written_at)
            write = await _write(database, 2, conflicted, written_at)
            changed_at, seen_at = now - timedelta(seconds=20), now - timedelta(seconds=10)
            await publish(
                settings,
                _netsuite_shows(1, "JANET", changed_at, seen_at),  # Concord's write, as NetSuite stores it
                _netsuite_shows(2, "Jo", changed_at, seen_at),  # someone else's change, inside the window
            )
            await topic.until(lambda m: any(isinstance(e, DiscrepancyOpened) for e in m[before:]))
            events = (await topic.settle())[before:]
            verified = {d["_id"]: d.get("verified_at") async for d in database["sync_writes"].find({})}
            stored = await database["discrepancies"].find_one({"entity_id": conflicted, "status": "open"})
    finally:
        await client.drop_database(settings.mongodb_database)
        await client.close()

    opened = [e for e in events if isinstance(e, DiscrepancyOpened)]
    assert [e.partition_key for e in opened] == [conflicted], "the echo opened nothing"
    assert verified["w-1"] is not None and verified["w-2"] is None
    finding = opened[0].finding
    assert (finding.dimension, finding.kind, finding.fields) == (
        "customer_contact", DiscrepancyKind.HARD_CONFLICT, ("first_name",),
    )  # fmt: skip
    assert is_echo_conflict(finding) and not finding.verdict.auto_approvable
    assert finding.suggested_actions[0] == PerFieldChoice(fields=("first_name",))
    netsuite = {(v.value, v.surface): v for v in finding.values if v.system is System.NETSUITE}
    concord, other = netsuite[("Janet", None)], netsuite[("Jo", Surface.WEBHOOK)]
    assert (concord.ref, concord.source_updated_at) == (write.ref, write.written_at)
    assert (other.source_updated_at, other.observed_at) == (changed_at, seen_at)
    assert (System.HUBSPOT, "Jane") in {(v.system, v.value) for v in finding.values}
    assert "Concord wrote first_name = 'Janet' to netsuite:customer:102" in finding.explanation
    assert stored is not None and stored["document"]["finding"]["kind"] == "hard_conflict"  # type: ignore[index]
