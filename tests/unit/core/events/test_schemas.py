import json

import jsonschema
import pytest

from shared.core.events import AnyMessage, message_json_schemas, message_to_json, type_name
from shared.core.events.catalog import MESSAGE_TYPES
from tests.unit.core.events.examples import every_message, observation, sync_command


def _validator(message_type: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(message_json_schemas()[message_type])


def test_there_is_one_valid_schema_per_message_type() -> None:
    schemas = message_json_schemas()

    assert set(schemas) == {type_name(cls) for cls in MESSAGE_TYPES}
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("message_class", MESSAGE_TYPES, ids=lambda cls: cls.__name__)
def test_each_schema_names_its_type_version_and_topic(message_class: type) -> None:
    schema = message_json_schemas()[type_name(message_class)]

    assert schema["title"] == message_class.__name__
    assert schema["x-concord-schema-version"] == 1
    assert schema["$id"] == f"urn:concord:message:{type_name(message_class)}:v1"
    assert str(schema["x-concord-topic"]).startswith("concord.")


@pytest.mark.parametrize("message", every_message(), ids=lambda message: message.type)
def test_each_schema_accepts_a_real_message(message: AnyMessage) -> None:
    _validator(message.type).validate(json.loads(message_to_json(message)))


@pytest.mark.parametrize("dropped", ["type", "schema_version", "message_id", "ref"])
def test_a_message_missing_a_required_field_is_rejected(dropped: str) -> None:
    wire = json.loads(message_to_json(observation()))
    del wire[dropped]

    with pytest.raises(jsonschema.ValidationError):
        _validator("record_observed").validate(wire)


def test_a_message_of_another_type_is_rejected() -> None:
    wire = json.loads(message_to_json(sync_command()))

    with pytest.raises(jsonschema.ValidationError):
        _validator("sync_result").validate(wire)


@pytest.mark.parametrize(
    ("field", "value"), [("surface", "carrier-pigeon"), ("observed_at", 17), ("unexpected", True)]
)
def test_a_wrong_field_value_or_an_extra_field_is_rejected(field: str, value: object) -> None:
    wire = json.loads(message_to_json(observation()))
    wire[field] = value

    with pytest.raises(jsonschema.ValidationError):
        _validator("record_observed").validate(wire)


def test_an_unknown_sync_action_is_rejected() -> None:
    wire = json.loads(message_to_json(sync_command()))
    wire["action"] = {"kind": "delete_everything"}

    with pytest.raises(jsonschema.ValidationError):
        _validator("sync_command").validate(wire)


def test_field_docstrings_reach_the_published_schema() -> None:
    properties = message_json_schemas()["raw_notification_received"]["properties"]

    assert isinstance(properties, dict)
    body = properties["body"]
    assert isinstance(body, dict)
    assert "one platform event" in str(body["description"])
