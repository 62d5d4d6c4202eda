"""Operator link decisions on fakes: accepted proposals link, links move and detach, rejections hold."""

from datetime import timedelta

import pytest

from shared.core.events import EntityChanged
from shared.core.model import EntityId, Surface, System
from tests.component.checker.commands import field_sync_command, link_command, unlink_command
from tests.component.checker.pipeline import FakePipeline
from tests.component.checker.records import T0, hubspot_contact, observed, ref, shopify_customer

LATER = T0 + timedelta(hours=2)
NOW = T0 + timedelta(days=1)
JANE, SECOND_JANE = ref(System.HUBSPOT, "51"), ref(System.HUBSPOT, "52")
SHOP_JANE = ref(System.SHOPIFY, "7001")


async def _entity_of_jane(pipeline: FakePipeline) -> EntityId:
    await pipeline.link([observed(JANE, hubspot_contact("51", email="jane@acme.example"), updated=T0)])
    return pipeline.entities.links[JANE.key].entity_id


async def _shop_jane_linked_to_jane(pipeline: FakePipeline) -> EntityId:
    entity = await _entity_of_jane(pipeline)
    await pipeline.link(
        [observed(SHOP_JANE, shopify_customer("7001", email="jane@acme.example"), updated=T0)]
    )
    assert pipeline.entities.links[SHOP_JANE.key].entity_id == entity
    return entity


def _changed(changes: list[EntityChanged]) -> list[tuple[EntityId, str, tuple[str, ...], tuple[str, ...]]]:
    return [(c.entity_id, c.cause, tuple(r.key for r in c.changed_refs), c.changed_fields) for c in changes]


async def test_an_accepted_proposal_links_the_record_by_operator_and_rechecks_the_entity() -> None:
    pipeline = FakePipeline(NOW)
    entity = await _entity_of_jane(pipeline)
    await pipeline.link([observed(SECOND_JANE, hubspot_contact("52", email="jane@acme.example"), updated=T0)])
    assert pipeline.entities.proposals[SECOND_JANE.key].entity_id == entity

    report = await pipeline.decide([link_command(entity, SECOND_JANE, command_id="cmd-accept", at=NOW)])

    link = pipeline.entities.links[SECOND_JANE.key]
    assert (link.entity_id, link.method, link.confidence) == (entity, "operator", 1.0)
    assert pipeline.entities.proposals == {}
    assert "ref:hubspot:contacts:52" in pipeline.entities.keys[entity][1]
    assert _changed(report.changes) == [(entity, "cmd-accept", (SECOND_JANE.key,), ())]
    assert report.changes[0].surface is Surface.WEBHOOK
    assert pipeline.changes.published[-1:] == report.changes
    assert (await pipeline.evaluate(report.changes)).processed == 1


async def test_a_record_linked_elsewhere_moves_and_both_entities_are_rechecked() -> None:
    pipeline = FakePipeline(NOW)
    entity = await _entity_of_jane(pipeline)
    await pipeline.link(
        [observed(SHOP_JANE, shopify_customer("7001", email="bob@stone.example"), updated=T0)]
    )
    elsewhere = pipeline.entities.links[SHOP_JANE.key].entity_id
    assert elsewhere != entity

    report = await pipeline.decide([link_command(entity, SHOP_JANE, command_id="cmd-move", at=NOW)])

    assert pipeline.entities.links[SHOP_JANE.key].entity_id == entity
    assert await pipeline.entities.links_of_entities([elsewhere]) == {}
    assert {c.entity_id for c in report.changes} == {entity, elsewhere}
    assert (report.linked, report.moved) == (1, 1)


async def test_an_unlinked_record_is_never_linked_or_proposed_to_that_entity_again() -> None:
    pipeline = FakePipeline(NOW)
    entity = await _shop_jane_linked_to_jane(pipeline)

    report = await pipeline.decide([unlink_command(entity, SHOP_JANE, command_id="cmd-unlink", at=NOW)])

    assert SHOP_JANE.key not in pipeline.entities.links
    assert _changed(report.changes) == [(entity, "cmd-unlink", (SHOP_JANE.key,), ())]
    # Same blocking keys (email, record), a change elsewhere so the link stage resolves the record again.
    changed = shopify_customer("7001", email="jane@acme.example", phone="+16135550199", updated=LATER)
    again = observed(SHOP_JANE, changed, updated=LATER)
    await pipeline.link([again])
    assert pipeline.entities.links[SHOP_JANE.key].entity_id != entity
    assert await pipeline.entities.proposals_for([entity]) == {}
    assert [link.ref for link in (await pipeline.entities.links_of_entities([entity]))[entity]] == [JANE]


async def test_an_operator_link_after_an_unlink_forgets_the_rejection() -> None:
    pipeline = FakePipeline(NOW)
    entity = await _shop_jane_linked_to_jane(pipeline)
    await pipeline.decide([unlink_command(entity, SHOP_JANE, command_id="cmd-unlink", at=NOW)])

    await pipeline.decide([link_command(entity, SHOP_JANE, command_id="cmd-relink", at=NOW)])

    assert pipeline.entities.links[SHOP_JANE.key].entity_id == entity
    assert await pipeline.entities.rejections_of([SHOP_JANE.key]) == {}


async def test_unlinking_a_record_from_an_entity_it_does_not_belong_to_leaves_its_link() -> None:
    pipeline = FakePipeline(NOW)
    entity = await _shop_jane_linked_to_jane(pipeline)
    other = EntityId("ent_someone_else")

    await pipeline.decide([unlink_command(other, SHOP_JANE, command_id="cmd-unlink", at=NOW)])

    assert pipeline.entities.links[SHOP_JANE.key].entity_id == entity


async def test_a_redelivered_command_changes_and_publishes_nothing() -> None:
    pipeline = FakePipeline(NOW)
    entity = await _entity_of_jane(pipeline)
    await pipeline.link(
        [observed(SHOP_JANE, shopify_customer("7001", email="bob@stone.example"), updated=T0)]
    )
    move = link_command(entity, SHOP_JANE, command_id="cmd-move", at=NOW)
    first = await pipeline.decide([move, move])
    published = list(pipeline.changes.published)
    links = dict(pipeline.entities.links)

    again = await pipeline.decide([move])

    assert (again.duplicates, again.processed, again.changes) == (1, 0, [])
    assert pipeline.changes.published == published and len(first.changes) == 2
    assert pipeline.entities.links == links


async def test_a_command_stored_but_not_published_publishes_the_same_changes_when_redelivered() -> None:
    pipeline = FakePipeline(NOW)
    entity = await _shop_jane_linked_to_jane(pipeline)
    unlink = unlink_command(entity, SHOP_JANE, command_id="cmd-unlink", at=NOW)
    pipeline.changes.fail_with = ConnectionError("broker down")
    with pytest.raises(ConnectionError):
        await pipeline.decide([unlink])
    pipeline.changes.fail_with = None

    report = await pipeline.decide([unlink])

    assert _changed(report.changes) == [(entity, "cmd-unlink", (SHOP_JANE.key,), ())]
    assert SHOP_JANE.key not in pipeline.entities.links


async def test_commands_that_are_not_link_decisions_are_ignored() -> None:
    pipeline = FakePipeline(NOW)
    entity = await _shop_jane_linked_to_jane(pipeline)
    links = dict(pipeline.entities.links)
    published = len(pipeline.changes.published)

    report = await pipeline.decide([field_sync_command(entity, command_id="cmd-sync", at=NOW)])

    assert (report.ignored, report.processed, report.changes) == (1, 0, [])
    assert pipeline.entities.links == links and len(pipeline.changes.published) == published
    assert await pipeline.ledger.already_processed("checker.decisions", ["cmd-sync"]) == frozenset()
