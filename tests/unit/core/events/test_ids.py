import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import InvalidInput
from shared.core.events import (
    CONCORD_MESSAGE_NAMESPACE,
    deletion_id,
    discrepancy_event_id,
    discrepancy_id_for,
    new_message_id,
    observation_id,
    raw_notification_id,
    sync_result_id,
)
from shared.core.model import EntityId, ExternalRef, Surface, System
from tests.unit.core.events.examples import ENTITY, HUBSPOT_REF, SHOPIFY_REF, T0
from tests.unit.core.events.strategies import instants

texts = st.text(min_size=1, max_size=20)
names = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20)
refs = st.builds(ExternalRef, system=st.sampled_from(System), object_type=names, external_id=names)


def test_namespace_is_the_documented_uuid5() -> None:
    assert uuid.uuid5(uuid.NAMESPACE_URL, "urn:concord:messages") == CONCORD_MESSAGE_NAMESPACE


def test_new_message_ids_are_distinct_uuids() -> None:
    ids = {new_message_id() for _ in range(100)}

    assert len(ids) == 100
    assert all(uuid.UUID(value).version == 4 for value in ids)


@given(system=st.sampled_from(System), delivery=texts, index=st.integers(0, 100))
def test_raw_notification_ids_are_stable(system: System, delivery: str, index: int) -> None:
    assert raw_notification_id(system, delivery, index) == raw_notification_id(system, delivery, index)


@given(
    first=st.tuples(st.sampled_from(System), texts, st.integers(0, 100)),
    second=st.tuples(st.sampled_from(System), texts, st.integers(0, 100)),
)
def test_raw_notification_ids_differ_for_different_events(
    first: tuple[System, str, int], second: tuple[System, str, int]
) -> None:
    if first != second:
        assert raw_notification_id(*first) != raw_notification_id(*second)


def test_key_parts_cannot_run_into_each_other() -> None:
    assert sync_result_id("a:1", 2, "applied") != sync_result_id("a", 12, "applied")
    assert discrepancy_event_id("dsc_1", 12) != discrepancy_event_id("dsc_11", 2)


def test_ids_of_different_kinds_never_collide_on_the_same_parts() -> None:
    assert discrepancy_event_id("x", 1) != sync_result_id("x", 1, "")


@given(ref=refs, event=texts, surface=st.sampled_from(Surface))
def test_an_event_id_identifies_the_observation_whatever_the_surface(
    ref: ExternalRef, event: str, surface: Surface
) -> None:
    assert observation_id(ref, surface, platform_event_id=event) == observation_id(
        ref, Surface.WEBHOOK, platform_event_id=event, source_version="ignored"
    )


@given(ref=refs, version=texts, updated=instants, surface=st.sampled_from([Surface.WEBHOOK, Surface.POLL]))
def test_rereading_the_same_version_gives_the_same_observation_id(
    ref: ExternalRef, version: str, updated: datetime, surface: Surface
) -> None:
    first = observation_id(ref, surface, source_version=version, source_updated_at=updated)
    again = observation_id(ref, surface, source_version=version, source_updated_at=updated)

    assert first == again


def test_observation_ids_differ_by_record_version_and_surface() -> None:
    base = observation_id(HUBSPOT_REF, Surface.POLL, source_version="1")
    variants = {
        observation_id(SHOPIFY_REF, Surface.POLL, source_version="1"),
        observation_id(HUBSPOT_REF, Surface.POLL, source_version="2"),
        observation_id(HUBSPOT_REF, Surface.WEBHOOK, source_version="1"),
        observation_id(HUBSPOT_REF, Surface.POLL, source_version="1", source_updated_at=T0),
    }

    assert base not in variants
    assert len(variants) == 4


def test_the_same_instant_in_another_zone_gives_the_same_id() -> None:
    tokyo = T0.astimezone(timezone(timedelta(hours=9)))

    assert observation_id(HUBSPOT_REF, Surface.POLL, source_updated_at=tokyo) == observation_id(
        HUBSPOT_REF, Surface.POLL, source_updated_at=T0
    )
    assert discrepancy_id_for(ENTITY, "d", tokyo) == discrepancy_id_for(ENTITY, "d", T0)


@pytest.mark.parametrize("surface", [Surface.PULSE, Surface.SYNC_READBACK])
def test_each_refresh_gives_a_new_observation_even_for_an_unchanged_version(surface: Surface) -> None:
    first = observation_id(HUBSPOT_REF, surface, source_version="1", refresh_request_id="r-1")
    second = observation_id(HUBSPOT_REF, surface, source_version="1", refresh_request_id="r-2")
    replay = observation_id(HUBSPOT_REF, surface, source_version="1", refresh_request_id="r-1")

    assert first != second
    assert first == replay


def test_a_refresh_observation_needs_its_request_id() -> None:
    with pytest.raises(InvalidInput, match="refresh request id"):
        observation_id(HUBSPOT_REF, Surface.PULSE, source_version="1")


def test_an_observation_without_any_natural_key_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no natural key"):
        observation_id(HUBSPOT_REF, Surface.POLL)


def test_deletion_ids_prefer_the_event_id() -> None:
    by_event = deletion_id(HUBSPOT_REF, deleted_at=T0, platform_event_id="e-1")

    assert by_event == deletion_id(HUBSPOT_REF, deleted_at=T0 + timedelta(hours=1), platform_event_id="e-1")
    assert by_event != deletion_id(HUBSPOT_REF, deleted_at=T0)
    assert deletion_id(HUBSPOT_REF, deleted_at=T0) != deletion_id(SHOPIFY_REF, deleted_at=T0)


@given(dimension=texts, opened=instants, other=instants)
def test_each_discrepancy_episode_has_its_own_stable_id(
    dimension: str, opened: datetime, other: datetime
) -> None:
    first = discrepancy_id_for(ENTITY, dimension, opened)

    assert first == discrepancy_id_for(ENTITY, dimension, opened)
    assert first.startswith("dsc_")
    assert len(first) == 4 + 32
    assert (first == discrepancy_id_for(ENTITY, dimension, other)) == (opened == other)


def test_discrepancy_ids_differ_by_entity_and_dimension() -> None:
    other_entity = EntityId("ent_ffffffffffffffffffffffffffffffff")
    ids = {
        discrepancy_id_for(ENTITY, "customer.contact", T0),
        discrepancy_id_for(other_entity, "customer.contact", T0),
        discrepancy_id_for(ENTITY, "customer.address", T0),
    }

    assert len(ids) == 3


@given(revision=st.integers(1, 10_000), other=st.integers(1, 10_000))
def test_discrepancy_event_ids_are_one_per_revision(revision: int, other: int) -> None:
    same = discrepancy_event_id("dsc_1", revision) == discrepancy_event_id("dsc_1", other)

    assert same == (revision == other)


def test_sync_result_ids_are_one_per_attempt_and_outcome() -> None:
    ids = {
        sync_result_id("cmd-1", 1, "failed"),
        sync_result_id("cmd-1", 2, "failed"),
        sync_result_id("cmd-1", 2, "applied"),
        sync_result_id("cmd-2", 2, "applied"),
    }

    assert len(ids) == 4
    assert sync_result_id("cmd-1", 1, "failed") == sync_result_id("cmd-1", 1, "failed")
