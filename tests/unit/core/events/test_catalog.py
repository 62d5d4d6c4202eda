import json
import typing
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import JsonValue

from shared.core.errors import InvalidInput
from shared.core.events import (
    MESSAGE_TYPES,
    AnyMessage,
    CreateMissing,
    LinkRecord,
    MessageType,
    OneDirectionSync,
    PerFieldSync,
    PolicySync,
    RecordObserved,
    SyncAction,
    SyncCommand,
    UndoCommand,
    UnlinkRecord,
    caused_by,
    message_to_json,
    observation_id,
    parse_message,
    schema_version_of,
    type_name,
)
from shared.core.model import EntityType, Surface, System
from tests.unit.core.events.examples import (
    HUBSPOT_REF,
    SHOPIFY_REF,
    every_message,
    raw_notification,
    sync_command,
)
from tests.unit.core.events.strategies import instants

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
)
json_values: st.SearchStrategy[JsonValue] = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=6)
systems = st.sampled_from(System)
field_names = st.lists(st.sampled_from(["email", "phone", "price", "title"]), min_size=1, unique=True).map(
    tuple
)
actions: st.SearchStrategy[SyncAction] = st.one_of(
    st.builds(
        OneDirectionSync, source=st.just(System.HUBSPOT), target=st.just(System.SHOPIFY), fields=field_names
    ),
    st.builds(PolicySync, fields=field_names),
    st.builds(
        PerFieldSync, choices=st.dictionaries(st.sampled_from(["email", "phone"]), systems, min_size=1)
    ),
    st.builds(CreateMissing, source=st.just(System.NETSUITE), target=st.just(System.HUBSPOT)),
    st.just(LinkRecord(ref=SHOPIFY_REF)),
    st.just(UnlinkRecord(ref=HUBSPOT_REF)),
    st.builds(UndoCommand, of_command_id=st.text(min_size=1, max_size=10)),
)


def _observation(
    record: dict[str, JsonValue], version: str | None, updated: datetime, surface: Surface
) -> RecordObserved:
    return RecordObserved(
        **caused_by(
            raw_notification(),
            producer="ingest",
            produced_at=updated,
            message_id=observation_id(
                HUBSPOT_REF, surface, source_version=version, source_updated_at=updated
            ),
        ),
        ref=HUBSPOT_REF,
        entity_type=EntityType.CUSTOMER,
        source_version=version,
        source_updated_at=updated,
        observed_at=updated,
        surface=surface,
        record=record,
    )


def test_the_examples_cover_every_message_type() -> None:
    assert {message.type for message in every_message()} == set(typing.get_args(MessageType))


def test_the_catalog_lists_every_member_of_the_union_once() -> None:
    union = typing.get_args(typing.get_args(AnyMessage)[0])

    assert tuple(union) == MESSAGE_TYPES
    assert [type_name(cls) for cls in MESSAGE_TYPES] == list(typing.get_args(MessageType))


def test_every_message_type_has_a_schema_version() -> None:
    assert all(schema_version_of(cls) >= 1 for cls in MESSAGE_TYPES)


@pytest.mark.parametrize("message", every_message(), ids=lambda message: message.type)
def test_every_message_round_trips_through_json_bytes_text_and_mapping(message: AnyMessage) -> None:
    wire = message_to_json(message)

    assert parse_message(wire) == message
    assert parse_message(wire.decode()) == message
    assert parse_message(json.loads(wire)) == message
    assert type(parse_message(wire)) is type(message)


@given(
    record=json_objects,
    version=st.none() | st.text(min_size=1, max_size=10),
    updated=instants,
    surface=st.sampled_from([Surface.WEBHOOK, Surface.POLL]),
)
def test_observations_of_any_json_record_round_trip(
    record: dict[str, JsonValue], version: str | None, updated: datetime, surface: Surface
) -> None:
    message = _observation(record, version, updated, surface)

    assert parse_message(message_to_json(message)) == message


@given(record=json_objects, version=st.text(min_size=1, max_size=10), updated=instants)
def test_the_same_observation_built_twice_has_the_same_message_id(
    record: dict[str, JsonValue], version: str, updated: datetime
) -> None:
    first = _observation(record, version, updated, Surface.POLL)
    again = _observation(record, version, updated, Surface.POLL)

    assert first.message_id == again.message_id
    assert first == again


@given(action=actions)
def test_sync_commands_with_any_action_round_trip(action: SyncAction) -> None:
    message = sync_command().model_copy(update={"action": action})

    parsed = parse_message(message_to_json(message))

    assert parsed == message
    assert isinstance(parsed, SyncCommand)
    assert type(parsed.action) is type(action)


def test_a_wrong_field_is_reported_by_name_without_the_value() -> None:
    wire = json.loads(message_to_json(every_message()[1]))
    wire["ref"]["system"] = "salesforce-secret-value"

    with pytest.raises(InvalidInput, match=r"record_observed\.ref\.system") as caught:
        parse_message(wire)
    assert "salesforce-secret-value" not in str(caught.value)


def test_an_unknown_message_type_is_reported() -> None:
    with pytest.raises(InvalidInput, match="does not match any of the expected tags"):
        parse_message({"type": "record_teleported"})


def test_a_message_without_a_type_is_reported() -> None:
    with pytest.raises(InvalidInput, match=r"invalid message.*type"):
        parse_message(b'{"message_id": "m-1"}')


@pytest.mark.parametrize("raw", [b"{not json", b"", "[1, 2]", b"\xff\xfe"])
def test_text_that_is_not_a_message_object_is_invalid_input(raw: bytes | str) -> None:
    with pytest.raises(InvalidInput, match="invalid message"):
        parse_message(raw)


def test_a_newer_schema_version_is_refused_rather_than_misread() -> None:
    wire = json.loads(message_to_json(sync_command()))
    wire["schema_version"] = 2

    with pytest.raises(InvalidInput, match="schema_version"):
        parse_message(wire)
