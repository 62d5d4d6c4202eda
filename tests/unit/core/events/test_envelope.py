from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.core.events import RefreshRequested, caused_by, first_in_chain
from shared.core.model import Surface
from tests.unit.core.events.examples import HUBSPOT_REF, T0, observation, raw_notification


def _refresh(**envelope: object) -> RefreshRequested:
    fields: dict[str, object] = {
        "message_id": "m-1",
        "correlation_id": "m-1",
        "produced_at": T0,
        "producer": "checker",
        "refs": [HUBSPOT_REF.model_dump()],
        "reason": "operator",
        "requested_by": "operator:grace",
        "surface": Surface.PULSE,
        **envelope,
    }
    return RefreshRequested.model_validate(fields)


def test_first_in_chain_correlates_the_message_with_itself() -> None:
    envelope = first_in_chain(producer="ingest", produced_at=T0, message_id="m-1")

    assert envelope["correlation_id"] == "m-1"
    assert envelope["causation_id"] is None


def test_first_in_chain_draws_a_fresh_id_when_none_is_given() -> None:
    first = first_in_chain(producer="ingest", produced_at=T0)
    second = first_in_chain(producer="ingest", produced_at=T0)

    assert first["message_id"] != second["message_id"]
    assert first["correlation_id"] == first["message_id"]


def test_caused_by_copies_the_correlation_and_names_the_cause() -> None:
    raw = raw_notification()
    seen = observation(raw)

    assert seen.correlation_id == raw.correlation_id == raw.message_id
    assert seen.causation_id == raw.message_id
    assert seen.message_id != raw.message_id


def test_correlation_follows_a_chain_of_three_messages() -> None:
    raw = raw_notification()
    seen = observation(raw)
    third = caused_by(seen, producer="checker", produced_at=T0)

    assert third["correlation_id"] == raw.message_id
    assert third["causation_id"] == seen.message_id


def test_timestamps_are_normalised_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    message = _refresh(produced_at=datetime(2025, 3, 4, 11, 0, tzinfo=paris))

    assert message.produced_at == T0
    assert message.produced_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        _refresh(produced_at=datetime(2025, 3, 4, 10, 0))  # noqa: DTZ001


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra"):
        _refresh(priority=3)


def test_messages_are_frozen() -> None:
    message = _refresh()

    with pytest.raises(ValidationError, match="frozen"):
        message.producer = "someone-else"  # type: ignore[misc]  # proving the assignment fails


@pytest.mark.parametrize("field", ["message_id", "correlation_id", "producer"])
def test_envelope_ids_and_producer_must_not_be_empty(field: str) -> None:
    with pytest.raises(ValidationError):
        _refresh(**{field: ""})
