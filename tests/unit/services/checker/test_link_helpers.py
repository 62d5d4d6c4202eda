"""Pure pieces of the link stage: snapshot ranking, natural entity ids, cross refs, key evidence."""

from datetime import UTC, datetime, timedelta

import pytest

from services.checker.candidates import indexed_evidence
from services.checker.link import entity_changed_id, new_entity_id_for
from services.checker.mapped import cross_refs_of
from shared.core.mapping import MappingContext, mapping_for
from shared.core.model import Customer, EntityId, EntityType, ExternalRef, Surface, System
from shared.core.repositories import snapshot_rank
from tests.component.checker.records import hubspot_contact, netsuite_customer

T0 = datetime(2026, 3, 1, tzinfo=UTC)
CONTEXT = MappingContext(default_phone_region="US", default_currency="USD")


def _contact(email: str, updated: datetime, observed: datetime) -> object:
    mapping = mapping_for(System.HUBSPOT, EntityType.CUSTOMER)
    return mapping.to_snapshot(mapping.parse(hubspot_contact("1", email=email, updated=updated)), CONTEXT,
                               observed_at=observed, surface=Surface.WEBHOOK)  # fmt: skip


def test_a_newer_version_outranks_a_later_read_of_an_older_one() -> None:
    old_read_late = _contact("a@x.example", T0, T0 + timedelta(days=2))
    new_read_early = _contact("a@x.example", T0 + timedelta(seconds=1), T0 + timedelta(seconds=1))
    assert snapshot_rank(new_read_early) > snapshot_rank(old_read_late)  # type: ignore[arg-type]


def test_a_later_read_of_the_same_version_outranks_the_earlier_and_a_replay_ranks_the_same() -> None:
    first, again, later = (_contact("a@x.example", T0, T0 + timedelta(minutes=m)) for m in (1, 1, 2))
    assert snapshot_rank(first) == snapshot_rank(again) < snapshot_rank(later)  # type: ignore[arg-type]


def test_new_entities_are_named_after_their_natural_key_so_replicas_agree() -> None:
    a, b = _contact("a@x.example", T0, T0), _contact("A@X.example ", T0 + timedelta(1), T0 + timedelta(1))
    assert new_entity_id_for(a) == new_entity_id_for(b)  # type: ignore[arg-type]
    assert new_entity_id_for(a) != new_entity_id_for(_contact("b@x.example", T0, T0))  # type: ignore[arg-type]


def test_entity_change_ids_are_one_per_cause_and_entity() -> None:
    assert entity_changed_id("m1", EntityId("e1")) == entity_changed_id("m1", EntityId("e1"))
    assert len({entity_changed_id("m1", EntityId("e1")), entity_changed_id("m2", EntityId("e1")),
                entity_changed_id("m1", EntityId("e2"))}) == 3  # fmt: skip


@pytest.mark.parametrize(
    ("outside_key", "expected"),
    [
        ("shopify:7001", {ExternalRef(system=System.SHOPIFY, object_type="customers", external_id="7001")}),
        ("hubspot:51", {ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="51")}),
        ("netsuite:9", set()),
        ("ERP-LEGACY-42", set()),
        ("shopify:", set()),
        (None, set()),
    ],
)
def test_a_netsuite_external_id_names_another_platforms_record(
    outside_key: str | None, expected: set[ExternalRef]
) -> None:
    record = mapping_for(System.NETSUITE, EntityType.CUSTOMER).parse(
        netsuite_customer("1", email="a@x.example", names=outside_key)
    )
    assert cross_refs_of(record, EntityType.CUSTOMER) == expected


def test_index_keys_become_matcher_evidence() -> None:
    canonical, refs = indexed_evidence(
        EntityType.CUSTOMER, frozenset({"email:a@x.example", "ref:shopify:customers:7"})
    )
    assert canonical == Customer(email="a@x.example")
    assert refs == {ExternalRef(system=System.SHOPIFY, object_type="customers", external_id="7")}
    assert indexed_evidence(EntityType.PRODUCT, frozenset({"email:a@x.example"})) == (None, frozenset())
