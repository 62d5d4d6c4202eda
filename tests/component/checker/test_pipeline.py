"""The two stages on fakes: links form, discrepancies open, change and resolve, replays change nothing."""

from datetime import timedelta

from shared.core.events import DiscrepancyOpened, DiscrepancyResolved, EntityChanged
from shared.core.findings import DiscrepancyKind, SyncDirection
from shared.core.model import EntityType, System
from tests.component.checker.pipeline import FakePipeline
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    netsuite_customer,
    observed,
    ref,
    shopify_customer,
    shopify_order,
)

LATER = T0 + timedelta(hours=2)
NOW = T0 + timedelta(days=1)


def _trio(email_netsuite: str = "jane@acme.example", *, first_shopify: str = "Jane") -> list[object]:
    return [
        observed(ref(System.HUBSPOT, "51"), hubspot_contact("51", email="jane@acme.example"), updated=T0),
        observed(ref(System.SHOPIFY, "7001"), shopify_customer("7001", email="Jane@Acme.example", first=first_shopify), updated=T0),
        observed(ref(System.NETSUITE, "107"), netsuite_customer("107", email=email_netsuite, names="shopify:7001"), updated=T0),
    ]  # fmt: skip


async def test_three_records_of_one_customer_link_to_one_entity_and_agree() -> None:
    pipeline = FakePipeline(NOW)
    events = await pipeline.run(*_trio())
    linked = {link.entity_id for link in pipeline.entities.links.values()}
    assert len(linked) == 1
    assert [
        e for e in events if isinstance(e, DiscrepancyOpened) and e.finding.dimension == "customer_contact"
    ] == []


async def test_email_differing_beyond_grace_opens_exactly_one_hard_conflict_with_both_sides() -> None:
    pipeline = FakePipeline(NOW)
    events = await pipeline.run(*_trio("jane.old@acme.example"))
    contact = [
        e for e in events if isinstance(e, DiscrepancyOpened) and e.finding.dimension == "customer_contact"
    ]
    assert len(contact) == 1
    finding = contact[0].finding
    assert finding.kind is DiscrepancyKind.HARD_CONFLICT
    assert finding.fields == ("email",)
    sides = {(v.system, v.value) for v in finding.values}
    assert {(System.HUBSPOT, "jane@acme.example"), (System.NETSUITE, "jane.old@acme.example")} <= sides
    assert all(v.observed_at is not None and v.source_updated_at == T0 for v in finding.values)
    assert finding.verdict.owner is System.HUBSPOT and finding.verdict.policy.startswith("default@1:")
    assert (
        SyncDirection(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",))
        in finding.suggested_actions
    )


async def test_a_name_differing_only_in_case_is_soft_drift_never_a_conflict() -> None:
    pipeline = FakePipeline(NOW)
    events = await pipeline.run(*_trio(first_shopify="JANE"))
    kinds = [
        e.finding.kind
        for e in events
        if isinstance(e, DiscrepancyOpened) and e.finding.dimension == "customer_contact"
    ]
    assert kinds == [DiscrepancyKind.SOFT_DRIFT]


async def test_a_shopify_customer_with_orders_absent_from_netsuite_is_missing_until_it_arrives() -> None:
    pipeline = FakePipeline(NOW)
    order = observed(ref(System.SHOPIFY, "9001", "orders"), shopify_order("9001", email="ann@shop.example"),
                     updated=T0, entity_type=EntityType.ORDER)  # fmt: skip
    await pipeline.run(order)
    events = await pipeline.run(
        observed(ref(System.SHOPIFY, "7002"), shopify_customer("7002", email="ann@shop.example"), updated=T0),
        observed(ref(System.HUBSPOT, "52"), hubspot_contact("52", email="ann@shop.example"), updated=T0),
    )
    missing = [
        e for e in events if isinstance(e, DiscrepancyOpened) and e.finding.kind is DiscrepancyKind.MISSING
    ]
    assert [e.finding.dimension for e in missing] == ["presence"]
    fixed = await pipeline.run(
        observed(
            ref(System.NETSUITE, "108"), netsuite_customer("108", email="ann@shop.example"), updated=LATER
        )
    )
    resolved = [e for e in fixed if isinstance(e, DiscrepancyResolved)]
    assert [(e.discrepancy_id, e.revision, e.resolution) for e in resolved] == [
        (missing[0].discrepancy_id, 2, "converged")
    ]


async def test_the_fix_arriving_resolves_the_conflict() -> None:
    pipeline = FakePipeline(NOW)
    opened = await pipeline.run(*_trio("jane.old@acme.example"))
    conflict = next(
        e for e in opened if isinstance(e, DiscrepancyOpened) and e.finding.dimension == "customer_contact"
    )
    fixed = await pipeline.run(
        observed(
            ref(System.NETSUITE, "107"),
            netsuite_customer("107", email="jane@acme.example", names="shopify:7001"),
            updated=LATER,
        )
    )
    assert [(type(e).__name__, e.discrepancy_id) for e in fixed] == [
        ("DiscrepancyResolved", conflict.discrepancy_id)
    ]


async def test_an_older_observation_never_replaces_a_newer_snapshot_nor_triggers_evaluation() -> None:
    pipeline = FakePipeline(NOW)
    newer = observed(
        ref(System.HUBSPOT, "51"),
        hubspot_contact("51", email="new@acme.example", updated=LATER),
        updated=LATER,
    )
    older = observed(ref(System.HUBSPOT, "51"), hubspot_contact("51", email="old@acme.example"), updated=T0)
    await pipeline.link([newer])
    report = await pipeline.link([older])
    assert report.stale == 1 and report.changes == []
    assert pipeline.snapshots.snapshots["hubspot:contacts:51"].values.email == "new@acme.example"  # type: ignore[union-attr]


async def test_the_same_batch_delivered_twice_changes_nothing_the_second_time() -> None:
    pipeline = FakePipeline(NOW)
    batch = _trio("jane.old@acme.example")
    first = await pipeline.link(batch)
    first_events = (await pipeline.evaluate(first.changes)).published
    stored = (
        dict(pipeline.snapshots.snapshots),
        dict(pipeline.discrepancies.items),
        dict(pipeline.check_states.states),
    )
    published = (len(pipeline.changes.published), len(pipeline.events.published))
    again = await pipeline.link(batch)
    replay = await pipeline.evaluate(first.changes)
    assert first_events and again.duplicates == 3 and replay.duplicates == len(first.changes)
    assert (len(pipeline.changes.published), len(pipeline.events.published)) == published
    assert (
        dict(pipeline.snapshots.snapshots),
        dict(pipeline.discrepancies.items),
        dict(pipeline.check_states.states),
    ) == stored


async def test_events_left_pending_by_an_interrupted_run_are_published_first_on_the_next() -> None:
    pipeline = FakePipeline(NOW)
    report = await pipeline.link(_trio("jane.old@acme.example"))
    pipeline.events.fail_with = ConnectionError("broker down")
    try:
        await pipeline.evaluate(report.changes)
    except ConnectionError:
        pass
    pending = [e for item in pipeline.discrepancies.items.values() for e in item.pending]
    assert pending, "the transition and its event were stored before publishing"
    pipeline.events.fail_with = None
    replay = await pipeline.evaluate(report.changes)
    assert [e.message_id for e in replay.published] == [e.message_id for e in pending]
    assert all(not item.pending for item in pipeline.discrepancies.items.values())


async def test_an_entity_change_names_only_the_fields_that_changed() -> None:
    pipeline = FakePipeline(NOW)
    await pipeline.run(*_trio())
    report = await pipeline.link(
        [
            observed(
                ref(System.HUBSPOT, "51"),
                hubspot_contact("51", email="jane@acme.example", phone="+16135550199", updated=LATER),
                updated=LATER,
            )
        ]
    )
    assert [(type(c), c.changed_fields) for c in report.changes] == [(EntityChanged, ("phone",))]
