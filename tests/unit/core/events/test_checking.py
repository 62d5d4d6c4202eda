import pytest
from pydantic import ValidationError

from shared.core.events import EntityChanged, RefreshRequested
from shared.core.model import Surface
from tests.unit.core.events.examples import HUBSPOT_REF, entity_changed, refresh_requested


def _changed(**fields: object) -> EntityChanged:
    return EntityChanged.model_validate({**entity_changed().model_dump(), **fields})


def _refresh(**fields: object) -> RefreshRequested:
    return RefreshRequested.model_validate({**refresh_requested().model_dump(), **fields})


def test_passive_drift_names_the_surface_that_missed_it() -> None:
    change = _changed(surface=Surface.PULSE, passive=True, missed_surface=Surface.WEBHOOK)

    assert change.passive
    assert change.missed_surface is Surface.WEBHOOK


def test_only_a_pulse_reveals_passive_drift() -> None:
    with pytest.raises(ValidationError, match="only a pulse"):
        _changed(surface=Surface.WEBHOOK, passive=True)


def test_a_missed_surface_needs_passive_drift() -> None:
    with pytest.raises(ValidationError, match="only meaningful for passive drift"):
        _changed(surface=Surface.PULSE, missed_surface=Surface.POLL)


@pytest.mark.parametrize("surface", [Surface.PULSE, Surface.SYNC_READBACK])
def test_a_pulse_or_read_back_cannot_be_the_missed_surface(surface: Surface) -> None:
    with pytest.raises(ValidationError, match="event surface"):
        _changed(surface=Surface.PULSE, passive=True, missed_surface=surface)


def test_an_entity_change_names_at_least_one_record() -> None:
    with pytest.raises(ValidationError, match="changed_refs"):
        _changed(changed_refs=())


def test_empty_changed_fields_mean_unknown() -> None:
    assert _changed(changed_fields=()).changed_fields == ()


@pytest.mark.parametrize(
    ("reason", "surface"), [("pulse", Surface.SYNC_READBACK), ("sync_readback", Surface.PULSE)]
)
def test_a_refresh_reason_fixes_the_observation_surface(reason: str, surface: Surface) -> None:
    with pytest.raises(ValidationError, match="refresh must produce"):
        _refresh(reason=reason, surface=surface)


@pytest.mark.parametrize("surface", [Surface.WEBHOOK, Surface.POLL])
def test_a_refresh_never_pretends_to_be_an_event(surface: Surface) -> None:
    with pytest.raises(ValidationError, match="surface"):
        _refresh(reason="operator", surface=surface)


def test_an_operator_refresh_may_be_unscoped() -> None:
    request = _refresh(reason="operator", entity_id=None, dimension=None, requested_by="operator:grace")

    assert request.entity_id is None


def test_a_dimension_needs_its_entity() -> None:
    with pytest.raises(ValidationError, match="needs the entity"):
        _refresh(entity_id=None)


@pytest.mark.parametrize("refs", [(), (HUBSPOT_REF, HUBSPOT_REF)], ids=["none", "repeated"])
def test_a_refresh_names_distinct_records(refs: tuple[object, ...]) -> None:
    with pytest.raises(ValidationError, match="refs"):
        _refresh(refs=refs)
