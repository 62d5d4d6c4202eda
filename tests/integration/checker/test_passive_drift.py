"""Passive drift: an out-of-band sandbox edit (no webhook) is found by a pulse within its cadence.

Runs the pieces that exist end to end over real HTTP and MongoDB: the pulse scheduler (MongoDB
check state and lease) asks for the refresh, ingest's ``Refresher`` serves it from the sandbox with
the real HubSpot connector, and ``detect_passive_drift`` compares the pulse observation with the
snapshot the webhook surface last delivered. The Kafka hops between them (ingest's refresh
subscriber, the checker's link stage) are covered by ``test_passive_drift_end_to_end``.
"""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.checker.pulse import PulseScheduler, PulseSettings, cadence_from, schedule_for
from services.ingest.refresh import Refresher
from shared.adapters.budget import UnlimitedBudget
from shared.adapters.mongo import MongoLeaseStore
from shared.adapters.mongo.check_state import MongoCheckStateStore
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.adapters.platforms.hubspot import HubSpotConnector
from shared.adapters.platforms.settings import HttpPolicy, HubSpotSettings
from shared.core.drift import PassiveDrift, detect_passive_drift
from shared.core.events import RecordObserved, RefreshRequested
from shared.core.mapping import MappingContext, mapping_for
from shared.core.model import EntityId, EntityType, Surface, System
from shared.core.platforms import parse_record
from shared.core.policy import default_policy
from shared.core.repositories import Link
from shared.core.testing import RecordingPublisher
from shared.core.verification import VerificationOutcome, VerificationState
from tests.integration.connectors.conftest import Sandbox, sandbox  # noqa: F401 - the sandbox fixture

POLICY = default_policy()
CONTEXT = MappingContext(default_phone_region="US", default_currency="USD")
ENTITY = EntityId("ent_passive")
Document = dict[str, object]


@pytest.fixture
async def database(mongo_uri: str, unique: str) -> AsyncIterator[object]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, tz_aware=True, tzinfo=UTC)
    yield client[f"test_{unique}"]
    await client.drop_database(f"test_{unique}")
    await client.close()


def hubspot(sandbox: Sandbox, http: httpx.AsyncClient) -> HubSpotConnector:  # noqa: F811 - fixture value
    return HubSpotConnector(
        HubSpotSettings(
            base_url=sandbox.base_url,
            portal_id=62515,
            token=sandbox.settings.hubspot_token,  # type: ignore[attr-defined]  # SandboxSettings
            http=HttpPolicy(read_timeout=10.0, max_attempts=3, backoff_initial=0.05),
        ),
        http,
        UnlimitedBudget(),
    )


async def test_an_unreported_edit_is_found_by_the_next_due_pulse_and_names_the_missed_webhook(
    sandbox: Sandbox,  # noqa: F811 - the imported fixture
    database: object,
) -> None:
    async with httpx.AsyncClient() as http:
        connector = hubspot(sandbox, http)
        created = await connector.create(
            EntityType.CUSTOMER,
            {"properties": {"email": "drift@concord.example", "firstname": "Ada"}},
            tag="t-1",
        )
        record_id = created.record.external_id()
        mapping = mapping_for(System.HUBSPOT, EntityType.CUSTOMER)
        delivered = await connector.read(EntityType.CUSTOMER, record_id)
        webhook_time = datetime.now(UTC)
        previous = mapping.to_snapshot(delivered, CONTEXT, observed_at=webhook_time, surface=Surface.WEBHOOK)

        # Verified one cadence ago: the pair comes due exactly now.
        cadence = schedule_for(POLICY, EntityType.CUSTOMER, "customer_contact").cadence
        now = webhook_time.replace(microsecond=0)
        state = VerificationState(
            entity_id=ENTITY,
            dimension="customer_contact",
            last_verified_at=now - cadence,
            outcome=VerificationOutcome.CONSISTENT,
        )
        states = MongoCheckStateStore(database, cadence_of=cadence_from(POLICY))  # type: ignore[arg-type]  # AsyncDatabase
        await states.save_all([(EntityType.CUSTOMER, state)])

        edit = {"system": "hubspot", "object_type": "contacts", "id": record_id, "emit": False,
                "changes": {"properties": {"email": "changed-out-of-band@concord.example"}}}  # fmt: skip
        (await http.post(f"{sandbox.base_url}/_admin/edit", json=edit)).raise_for_status()

        entities = MongoEntityRepository(database)  # type: ignore[arg-type]  # AsyncDatabase
        link = Link(ref=previous.ref, entity_id=ENTITY, entity_type=EntityType.CUSTOMER, confidence=1.0,
                    method="matched", linked_at=webhook_time)  # fmt: skip
        await entities.attach(link, keys=())
        publisher = RecordingPublisher()
        scheduler = PulseScheduler(
            states=states, links=entities, publisher=publisher,
            leases=MongoLeaseStore(database),  # type: ignore[arg-type]  # AsyncDatabase
            policy=POLICY, settings=PulseSettings(), allowance={System.HUBSPOT: 10}, holder="a",
            clock=lambda: now,
        )  # fmt: skip
        report = await scheduler.sweep()
        assert [r.refs for r in report.requested] == [(previous.ref,)]
        request = report.requested[0]
        assert isinstance(request, RefreshRequested)

        answers = await Refresher({System.HUBSPOT: connector}, clock=lambda: datetime.now(UTC)).refresh(
            [request]
        )
        assert answers.failed == {}
        observed = answers.messages[0]
        assert isinstance(observed, RecordObserved)
        assert (observed.surface, observed.causation_id) == (Surface.PULSE, request.message_id)

    wire = parse_record(observed.ref.system, observed.ref.object_type, observed.record)
    refreshed = mapping.to_snapshot(wire, CONTEXT, observed_at=observed.observed_at, surface=observed.surface)
    assert detect_passive_drift(previous, refreshed) == PassiveDrift(
        fields=("email",), missed_surface=Surface.WEBHOOK
    )


async def test_a_pulse_that_finds_nothing_changed_reports_no_drift(
    sandbox: Sandbox,  # noqa: F811 - the imported fixture
) -> None:
    async with httpx.AsyncClient() as http:
        connector = hubspot(sandbox, http)
        created = await connector.create(
            EntityType.CUSTOMER, {"properties": {"email": "calm@concord.example"}}, tag="t"
        )
        mapping = mapping_for(System.HUBSPOT, EntityType.CUSTOMER)
        first = await connector.read(EntityType.CUSTOMER, created.record.external_id())
        previous = mapping.to_snapshot(first, CONTEXT, observed_at=datetime.now(UTC), surface=Surface.WEBHOOK)
        again = await connector.read(EntityType.CUSTOMER, created.record.external_id())
    refreshed = mapping.to_snapshot(
        again, CONTEXT, observed_at=datetime.now(UTC) + timedelta(seconds=1), surface=Surface.PULSE
    )
    assert detect_passive_drift(previous, refreshed) is None
