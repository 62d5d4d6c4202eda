"""The committed AsyncAPI document and JSON Schemas are exactly what the code generates."""

import json
from pathlib import Path

import jsonschema

from services.checker.asyncapi import checker_asyncapi, documents, published_schemas
from tests.unit.core.events.examples import every_message

COMMITTED = Path(__file__).resolve().parents[4] / "docs" / "asyncapi"


def test_the_committed_documents_match_the_code() -> None:
    stale = [
        path
        for path, text in documents().items()
        if not (COMMITTED / path).is_file() or (COMMITTED / path).read_text() != text
    ]
    assert stale == [], f"regenerate with `python -m services.checker.asyncapi`: {stale}"


def test_no_committed_schema_is_left_over_from_a_removed_message_type() -> None:
    committed = {str(path.relative_to(COMMITTED)) for path in COMMITTED.rglob("*.json")}
    assert committed == set(documents())


def test_the_document_describes_every_checker_topic_and_the_discrepancy_payloads() -> None:
    document = checker_asyncapi()
    channels = document["channels"]
    assert isinstance(channels, dict)
    addresses = {channel["address"] for channel in channels.values() if isinstance(channel, dict)}
    assert addresses == {
        "concord.records.observed.v1", "concord.entities.changed.v1", "concord.discrepancies.v1",
        "concord.records.observed.v1.dlq", "concord.entities.changed.v1.dlq",
    }  # fmt: skip
    schemas = document["components"]["schemas"]  # type: ignore[index,call-overload]
    assert {"DiscrepancyOpened", "DiscrepancyChanged", "DiscrepancyResolved", "EntityChanged"} <= set(schemas)


def test_every_published_schema_validates_real_messages_of_its_type() -> None:
    schemas = {schema["x-concord-message-type"]: schema for schema in published_schemas().values()}
    checked = 0
    for message in every_message():
        if message.type in schemas:
            jsonschema.validate(json.loads(message.model_dump_json()), schemas[message.type])
            checked += 1
    assert checked == len(schemas)
