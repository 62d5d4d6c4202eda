"""JSON Schemas of the messages, one per type, for the AsyncAPI document and for consumers.

Each schema is pydantic's validation schema of the message class (JSON Schema 2020-12) with
``title`` (the class name), an ``$id`` that names type and version, and ``x-concord-*`` annotations
for the message type, schema version and unprefixed topic. Unknown keywords are ignored by
validators, so the schemas validate real messages as they are.
"""

from pydantic import JsonValue, TypeAdapter

from shared.core.events.catalog import MESSAGE_TYPES, schema_version_of, type_name
from shared.core.events.envelope import Message
from shared.core.events.topics import TOPIC_OF_TYPE

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

JsonSchema = dict[str, JsonValue]


def message_json_schema(message_class: type[Message]) -> JsonSchema:
    """The JSON Schema of one message class, annotated with its type, version and topic."""
    kind = type_name(message_class)
    version = schema_version_of(message_class)
    generated = message_class.model_json_schema(mode="validation")
    # pydantic types the schema as dict[str, Any]; validating it as JSON pins the type honestly.
    schema = TypeAdapter(JsonSchema).validate_python(generated)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:concord:message:{kind}:v{version}",
        **schema,
        "title": message_class.__name__,
        "x-concord-message-type": kind,
        "x-concord-schema-version": version,
        "x-concord-topic": TOPIC_OF_TYPE[kind],
    }


def message_json_schemas() -> dict[str, JsonSchema]:
    """One JSON Schema per message type, keyed by the ``type`` discriminator."""
    return {type_name(message_class): message_json_schema(message_class) for message_class in MESSAGE_TYPES}


__all__ = ["JSON_SCHEMA_DIALECT", "JsonSchema", "message_json_schema", "message_json_schemas"]
