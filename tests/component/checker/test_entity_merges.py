"""Records of one customer linked in an unlucky order: the NetSuite customer with a stale email first,
then the HubSpot contact (its own entity: nothing shares its email yet), then the Shopify customer
both of them name. The Shopify record joins them into one entity, whatever order they came in."""

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import timedelta
from itertools import permutations

import pytest

from services.checker.change_ids import new_entity_id_for
from services.checker.mapped import map_observation
from shared.core.events import DiscrepancyOpened, DiscrepancyResolved, RecordObserved
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityType, System
from shared.core.repositories import Link
from shared.core.testing.checker_fakes import FakeEntityRepository
from tests.component.checker.pipeline import CONTEXT, FakePipeline
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    netsuite_customer,
    observed,
    ref,
    shopify_customer,
)

NOW = T0 + timedelta(days=1)
HUBSPOT = observed(ref(System.HUBSPOT, "51"), hubspot_contact("51", email="jane@acme.example"), updated=T0)
SHOPIFY = observed(
    ref(System.SHOPIFY, "7001"), shopify_customer("7001", email="jane@acme.example"), updated=T0
)
NETSUITE = observed(
    ref(System.NETSUITE, "107"),
    netsuite_customer("107", email="jane.old@acme.example", names="shopify:7001"),
    updated=T0,
)


async def _link_one_by_one(pipeline: FakePipeline, order: tuple[RecordObserved, ...]) -> list[object]:
    events: list[object] = []
    for message in order:
        events += await pipeline.run(message)
    return events


@pytest.mark.parametrize(
    "order",
    list(permutations([NETSUITE, HUBSPOT, SHOPIFY])),
    ids=lambda o: "-".join(m.ref.system.value for m in o),
)
async def test_the_three_records_end_in_one_entity_in_any_order(order: tuple[RecordObserved, ...]) -> None:
    pipeline = FakePipeline(NOW)

    await _link_one_by_one(pipeline, order)

    assert len({link.entity_id for link in pipeline.entities.links.values()}) == 1
    assert len(pipeline.entities.links) == 3
    assert pipeline.entities.proposals == {}


async def test_the_merge_re_evaluates_both_entities_and_the_survivor_holds_the_email_conflict() -> None:
    pipeline = FakePipeline(NOW)
    await _link_one_by_one(pipeline, (NETSUITE, HUBSPOT))
    split = {link.entity_id for link in pipeline.entities.links.values()}
    assert len(split) == 2

    report = await pipeline.link([SHOPIFY])
    events = (await pipeline.evaluate(report.changes)).published

    assert report.decisions["merge_entities"] == 1
    [survivor] = {link.entity_id for link in pipeline.entities.links.values()}
    [merged] = split - {survivor}
    assert survivor < merged
    assert pipeline.entities.merges == {merged: survivor}
    assert {c.entity_id for c in report.changes} == {survivor, merged}
    opened = [e.finding for e in events if isinstance(e, DiscrepancyOpened)]
    assert [(f.entity_id, f.kind, f.fields) for f in opened if f.dimension == "customer_contact"] == [
        (survivor, DiscrepancyKind.HARD_CONFLICT, ("email",))
    ]
    assert await pipeline.entities.entities_with_keys(EntityType.CUSTOMER, ["email:jane@acme.example"]) == {
        survivor: frozenset({"email:jane@acme.example"})
    }


async def test_an_entity_whose_records_all_left_resolves_its_discrepancies_as_unlinked() -> None:
    pipeline = FakePipeline(NOW)
    hubspot = observed(
        ref(System.HUBSPOT, "51"), hubspot_contact("51", email="jane@acme.example"), updated=T0
    )
    netsuite = observed(ref(System.NETSUITE, "107"), netsuite_customer("107", email="jane.old@acme.example",
                        names="shopify:7001"), updated=T0)  # fmt: skip
    shopify = observed(
        ref(System.SHOPIFY, "7001"), shopify_customer("7001", email="jane@acme.example"), updated=T0
    )
    report = await pipeline.link([hubspot, shopify, netsuite])
    opened = [
        e for e in (await pipeline.evaluate(report.changes)).published if isinstance(e, DiscrepancyOpened)
    ]
    assert opened
    [entity_id] = {link.entity_id for link in pipeline.entities.links.values()}
    for message in (hubspot, shopify, netsuite):
        assert await pipeline.entities.detach(message.ref, entity_id)

    again = report.changes[0].model_copy(update={"message_id": "operator-unlinked-everything"})
    events = (await pipeline.evaluate([again])).published

    resolved = [e for e in events if isinstance(e, DiscrepancyResolved)]
    assert {e.discrepancy_id for e in resolved} == {e.discrepancy_id for e in opened}
    assert {e.resolution for e in resolved} == {"unlinked"}
    assert not [e for e in events if isinstance(e, DiscrepancyOpened)]


async def test_an_entity_an_operator_separated_is_not_merged_back() -> None:
    pipeline = FakePipeline(NOW)
    await _link_one_by_one(pipeline, (NETSUITE, HUBSPOT))
    hubspot_entity = pipeline.entities.links[HUBSPOT.ref.key].entity_id
    netsuite_entity = pipeline.entities.links[NETSUITE.ref.key].entity_id
    await pipeline.entities.reject(HUBSPOT.ref, netsuite_entity)  # an operator detached it from there once

    report = await pipeline.link([SHOPIFY])

    assert report.decisions["merge_entities"] == 0
    assert pipeline.entities.merges == {}
    assert pipeline.entities.links[HUBSPOT.ref.key].entity_id == hubspot_entity
    assert SHOPIFY.ref.key in pipeline.entities.proposals


class RacingReplica(FakeEntityRepository):
    """The entity store as one replica sees it while another links the HubSpot contact at the same
    moment: the other's link and keys land just after this replica stored its own links."""

    def __init__(self, pipeline: FakePipeline) -> None:
        super().__init__()
        self._pipeline, self._raced = pipeline, False

    async def attach_all(self, items: Sequence[tuple[Link, Collection[str]]]) -> list[Link]:
        stored = await super().attach_all(items)
        if not self._raced and any(link.ref == SHOPIFY.ref for link, _ in items):
            self._raced = True
            mapped = map_observation(HUBSPOT, CONTEXT)
            await self._pipeline.snapshots.save_newer([mapped.snapshot])
            alone = Link(ref=HUBSPOT.ref, entity_id=new_entity_id_for(mapped.snapshot), entity_type=EntityType.CUSTOMER,
                         confidence=1.0, method="created", linked_at=NOW)  # fmt: skip
            await super().attach_all([(alone, mapped.keys)])
        return stored


async def test_a_contact_linked_by_another_replica_at_the_same_moment_is_merged_in_after_the_fact() -> None:
    pipeline = FakePipeline(NOW)
    pipeline.entities = RacingReplica(pipeline)
    pipeline.link_ports = replace(pipeline.link_ports, entities=pipeline.entities)
    pipeline.evaluate_ports = replace(pipeline.evaluate_ports, entities=pipeline.entities)
    await pipeline.run(NETSUITE)

    report = await pipeline.link([SHOPIFY])  # sees only the NetSuite customer's entity while matching

    assert report.decisions["link_existing"] == 1
    assert report.decisions["rejoined"] == 1
    assert len({link.entity_id for link in pipeline.entities.links.values()}) == 1
    assert len(pipeline.entities.links) == 3
    [merged] = pipeline.entities.merges
    assert merged in {change.entity_id for change in report.changes}
