"""One contract for the checker's repositories, run against the in-memory fakes and real MongoDB (FerretDB)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from shared.adapters.mongo.bulk import MAX_BULK_STATEMENTS
from shared.adapters.mongo.discrepancies import MongoDiscrepancyRepository
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.adapters.mongo.ledger import MongoProcessedLedger
from shared.adapters.mongo.snapshots import MongoSnapshotRepository
from shared.core.discrepancy import apply_findings
from shared.core.findings import DiscrepancyKind, Finding, OwnerVerdict, PlatformValue
from shared.core.mapping import MappingContext, mapping_for
from shared.core.model import EntityId, EntityType, ExternalRef, Surface, System
from shared.core.repositories import (
    AnySnapshot,
    DiscrepancyRepository,
    EntityRepository,
    Link,
    LinkProposal,
    ProcessedLedger,
    SnapshotRepository,
    StoredDiscrepancy,
)
from shared.core.testing.checker_fakes import (
    FakeDiscrepancyRepository,
    FakeEntityRepository,
    FakeProcessedLedger,
    FakeSnapshotRepository,
)
from tests.component.checker.records import hubspot_contact, shopify_order

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CONTEXT = MappingContext(default_phone_region="US", default_currency="USD")
ENTITY = EntityId("ent_contract")


@dataclass
class Repositories:
    snapshots: SnapshotRepository
    entities: EntityRepository
    discrepancies: DiscrepancyRepository
    ledger: ProcessedLedger


@pytest.fixture(params=["fake", "mongodb"])
async def repos(request: pytest.FixtureRequest, unique: str) -> AsyncIterator[Repositories]:
    if request.param == "fake":
        yield Repositories(
            FakeSnapshotRepository(),
            FakeEntityRepository(),
            FakeDiscrepancyRepository(),
            FakeProcessedLedger(),
        )
        return
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        request.getfixturevalue("mongo_uri"), tz_aware=True, tzinfo=UTC
    )
    database = client[f"test_{unique}"]
    yield Repositories(
        MongoSnapshotRepository(database), MongoEntityRepository(database),  # type: ignore[arg-type]
        MongoDiscrepancyRepository(database), MongoProcessedLedger(database),  # type: ignore[arg-type]
    )  # fmt: skip
    await client.drop_database(database.name)
    await client.close()


def contact(record_id: str, email: str, updated: datetime, observed: datetime | None = None) -> AnySnapshot:
    mapping = mapping_for(System.HUBSPOT, EntityType.CUSTOMER)
    record = mapping.parse(hubspot_contact(record_id, email=email, updated=updated))
    return mapping.to_snapshot(record, CONTEXT, observed_at=observed or updated, surface=Surface.WEBHOOK)


def ref(record_id: str) -> ExternalRef:
    return ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id=record_id)


def link(record_id: str, entity: EntityId = ENTITY) -> Link:
    return Link(ref=ref(record_id), entity_id=entity, entity_type=EntityType.CUSTOMER, confidence=1.0,
                method="created", linked_at=T0)  # fmt: skip


def finding(kind: DiscrepancyKind, value: str) -> Finding:
    return Finding(
        entity_id=ENTITY, entity_type=EntityType.CUSTOMER, dimension="customer_contact", check="customer_contact",
        kind=kind, fields=("email",), values=(PlatformValue(system=System.HUBSPOT, field="email", value=value, confidence=1.0),),
        verdict=OwnerVerdict(owner=System.HUBSPOT, strategy="owner_wins", policy="default@1:customer.email"),
        explanation="differs", found_at=T0,
    )  # fmt: skip


async def test_a_snapshot_is_replaced_only_by_a_higher_ranked_one(repos: Repositories) -> None:
    newer, older = contact("1", "new@x.example", T0 + timedelta(hours=1)), contact("1", "old@x.example", T0)
    await repos.snapshots.save_newer([newer])
    await repos.snapshots.save_newer([older])
    await repos.snapshots.save_newer([older, newer])
    assert (await repos.snapshots.load_many(["hubspot:contacts:1", "missing"])) == {
        "hubspot:contacts:1": newer
    }
    reread = contact("1", "new@x.example", T0 + timedelta(hours=1), observed=T0 + timedelta(hours=2))
    await repos.snapshots.save_newer([reread])
    assert (await repos.snapshots.load_many(["hubspot:contacts:1"]))["hubspot:contacts:1"] == reread


async def test_many_snapshots_are_stored_in_one_call(repos: Repositories) -> None:
    snapshots = [contact(str(i), f"c{i}@x.example", T0) for i in range(3 * MAX_BULK_STATEMENTS)]
    await repos.snapshots.save_newer(snapshots)
    await repos.snapshots.save_newer(
        [s.model_copy(update={"observed_at": T0 + timedelta(1)}) for s in snapshots]
    )
    stored = await repos.snapshots.load_many([s.ref.key for s in snapshots])
    assert len(stored) == len(snapshots) and all(s.observed_at == T0 + timedelta(1) for s in stored.values())


async def test_orders_are_counted_per_customer_email(repos: Repositories) -> None:
    mapping = mapping_for(System.SHOPIFY, EntityType.ORDER)
    order = mapping.to_snapshot(mapping.parse(shopify_order("9", email="Ann@Shop.example")), CONTEXT,
                                observed_at=T0, surface=Surface.POLL)  # fmt: skip
    await repos.snapshots.save_newer([order])
    await repos.snapshots.save_newer([order.model_copy(update={"observed_at": T0 + timedelta(1)})])
    assert await repos.snapshots.count_orders_for({"ann@shop.example"}) == 1
    assert await repos.snapshots.count_orders_for({"bob@shop.example"}) == 0


async def test_the_first_link_of_a_record_wins_and_keys_find_its_entity(repos: Repositories) -> None:
    other = EntityId("ent_other")
    stored = await repos.entities.attach_all(
        [(link("1"), {"email:a@x.example"}), (link("2"), {"ref:hubspot:contacts:2"})]
    )
    assert [s.entity_id for s in stored] == [ENTITY, ENTITY]
    assert (await repos.entities.attach(link("1", other), {"email:z@x.example"})).entity_id == ENTITY
    await repos.entities.add_keys([(EntityType.CUSTOMER, ENTITY, {"email:b@x.example"})])
    assert await repos.entities.entities_with_keys(EntityType.CUSTOMER, {"email:b@x.example", "email:q"}) == {
        ENTITY: frozenset({"email:b@x.example"})
    }
    assert await repos.entities.entities_with_keys(EntityType.PRODUCT, {"email:b@x.example"}) == {}
    both = await repos.entities.entities_with_keys(
        EntityType.CUSTOMER, {"email:a@x.example", "email:z@x.example"}
    )
    assert both == {ENTITY: frozenset({"email:a@x.example"}), other: frozenset({"email:z@x.example"})}
    assert [one.ref.key for one in (await repos.entities.links_of_entities([ENTITY]))[ENTITY]] == [
        "hubspot:contacts:1",
        "hubspot:contacts:2",
    ]
    assert set(await repos.entities.links_of(["hubspot:contacts:2", "nope"])) == {"hubspot:contacts:2"}


async def test_a_merged_away_record_is_no_longer_a_linked_ref(repos: Repositories) -> None:
    await repos.entities.attach_all([(link("1"), ()), (link("2"), ())])
    await repos.entities.record_merge(ref("2"), ref("1"))
    assert await repos.entities.linked_refs([ENTITY]) == {ENTITY: (ref("1"),)}
    assert (await repos.entities.links_of(["hubspot:contacts:2"]))["hubspot:contacts:2"].merged_into == ref(
        "1"
    )


async def test_a_merged_entitys_links_and_keys_lead_to_the_one_it_was_merged_into(
    repos: Repositories,
) -> None:
    first, second, third = EntityId("ent_a"), EntityId("ent_b"), EntityId("ent_c")
    await repos.entities.attach_all(
        [(link("1", first), {"email:a@x.example"}), (link("2", second), {"email:b@x.example"}),
         (link("3", third), {"email:b@x.example", "email:c@x.example"})]
    )  # fmt: skip

    assert await repos.entities.merge(third, second, at=T0) == second
    assert await repos.entities.merge(second, first, at=T0) == first
    assert await repos.entities.merge(third, EntityId("ent_0"), at=T0) == second, "the first merge stands"

    assert await repos.entities.survivors([first, second, third, EntityId("ent_z")]) == {
        second: first,
        third: first,
    }
    assert await repos.entities.linked_refs([first, second, third]) == {first: (ref("1"), ref("2"), ref("3"))}
    assert await repos.entities.entities_with_keys(
        EntityType.CUSTOMER, {"email:b@x.example", "email:c@x.example"}
    ) == {first: frozenset({"email:b@x.example", "email:c@x.example"})}


async def test_a_proposal_is_kept_once_and_dropped_when_the_record_is_linked(repos: Repositories) -> None:
    await repos.entities.attach_all([(link("1"), ())])
    proposal = LinkProposal(ref=ref("9"), entity_id=ENTITY, entity_type=EntityType.CUSTOMER, confidence=0.7,
                            reasons=("below_auto_link",), explanation="name 0.9", proposed_at=T0)  # fmt: skip
    await repos.entities.propose(proposal)
    await repos.entities.propose(proposal.model_copy(update={"confidence": 0.8}))
    assert await repos.entities.proposals_for([ENTITY]) == {ENTITY: [proposal]}
    await repos.entities.attach_all([(link("9", EntityId("ent_elsewhere")), ())])
    assert await repos.entities.proposals_for([ENTITY]) == {}


async def test_a_record_is_detached_only_from_its_own_entity_and_can_then_link_elsewhere(
    repos: Repositories,
) -> None:
    other = EntityId("ent_other")
    await repos.entities.attach_all([(link("1"), {"email:a@x.example"}), (link("2"), ())])
    assert await repos.entities.detach(ref("1"), other) is False
    assert set(await repos.entities.links_of(["hubspot:contacts:1"])) == {"hubspot:contacts:1"}
    assert await repos.entities.detach(ref("1"), ENTITY) is True
    assert await repos.entities.detach(ref("1"), ENTITY) is False
    assert await repos.entities.links_of(["hubspot:contacts:1"]) == {}
    assert await repos.entities.linked_refs([ENTITY]) == {ENTITY: (ref("2"),)}
    assert await repos.entities.entities_with_keys(EntityType.CUSTOMER, {"email:a@x.example"}) == {
        ENTITY: frozenset({"email:a@x.example"})
    }
    assert (await repos.entities.attach(link("1", other), ())).entity_id == other
    assert await repos.entities.linked_refs([ENTITY, other]) == {ENTITY: (ref("2"),), other: (ref("1"),)}


async def test_rejections_are_kept_per_record_until_forgotten(repos: Repositories) -> None:
    other = EntityId("ent_other")
    many = [str(i) for i in range(2 * MAX_BULK_STATEMENTS)]
    for record_id in many:
        await repos.entities.reject(ref(record_id), ENTITY)
    await repos.entities.reject(ref("1"), other)
    await repos.entities.reject(ref("1"), other)
    keys = [ref(record_id).key for record_id in many]
    found = await repos.entities.rejections_of([*keys, "hubspot:contacts:none"])
    assert found == {key: frozenset({ENTITY}) for key in keys} | {
        "hubspot:contacts:1": frozenset({ENTITY, other})
    }
    await repos.entities.forget_rejection(ref("1"), ENTITY)
    await repos.entities.forget_rejection(ref("2"), ENTITY)
    await repos.entities.forget_rejection(ref("nothing"), ENTITY)
    assert await repos.entities.rejections_of(["hubspot:contacts:1", "hubspot:contacts:2"]) == {
        "hubspot:contacts:1": frozenset({other})
    }


async def test_discrepancy_episodes_advance_and_the_latest_comes_back_with_its_outbox(
    repos: Repositories,
) -> None:
    opened = apply_findings([], [finding(DiscrepancyKind.HARD_CONFLICT, "a")], {"customer_contact"}, T0)
    first = opened.discrepancies[0]
    await repos.discrepancies.save_all([StoredDiscrepancy(discrepancy=first)])
    resolved = apply_findings([first], [], {"customer_contact"}, T0 + timedelta(1)).discrepancies[0]
    reopened = apply_findings(
        [resolved], [finding(DiscrepancyKind.SOFT_DRIFT, "b")], {"customer_contact"}, T0 + timedelta(2)
    ).discrepancies[0]
    await repos.discrepancies.save_all([StoredDiscrepancy(discrepancy=resolved)])
    await repos.discrepancies.save_all([StoredDiscrepancy(discrepancy=first)])  # stale: ignored
    assert await repos.discrepancies.latest_for([ENTITY]) == {
        ENTITY: [StoredDiscrepancy(discrepancy=resolved)]
    }
    await repos.discrepancies.save_all([StoredDiscrepancy(discrepancy=reopened)])
    latest = (await repos.discrepancies.latest_for([ENTITY]))[ENTITY]
    assert [(d.discrepancy.episode, d.discrepancy.revision) for d in latest] == [(2, 1)]


async def test_the_ledger_reports_what_a_consumer_already_processed(repos: Repositories) -> None:
    ids = [f"m{i}" for i in range(2 * MAX_BULK_STATEMENTS)]
    await repos.ledger.mark_processed("checker.link", ids[:60], at=T0)
    await repos.ledger.mark_processed("checker.link", ids[50:70], at=T0)
    assert await repos.ledger.already_processed("checker.link", ids) == frozenset(ids[:70])
    assert await repos.ledger.already_processed("checker.evaluate", ids) == frozenset()
