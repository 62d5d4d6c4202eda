"""The committed AsyncAPI documents and JSON Schemas are exactly what the code generates, and they
describe every topic: each service's channels as written out here, each schema true to real messages."""

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from pydantic import JsonValue

from services.asyncapi import SERVICES, Document, documents, write
from shared.core.events import MESSAGE_TYPES, all_topics, message_json_schemas, message_types_on, type_name
from tests.unit.core.events.examples import every_message

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "asyncapi"
REGENERATE = "regenerate with `python -m services.asyncapi` (or `make asyncapi`)"

RAW, OBSERVED, ENTITIES = (
    "concord.notifications.raw.v1",
    "concord.records.observed.v1",
    "concord.entities.changed.v1",
)
REFRESH, DISCREPANCIES = "concord.refresh.requested.v1", "concord.discrepancies.v1"
COMMANDS, RESULTS = "concord.sync.commands.v1", "concord.sync.results.v1"

# (address, action); None: a channel provisioned for outside subscribers, with no operation of the service.
EXPECTED_CHANNELS: dict[str, set[tuple[str, str | None]]] = {
    "ingest": {
        (RAW, "receive"), (REFRESH, "receive"), (RAW, "send"), (OBSERVED, "send"),
        (f"{RAW}.dlq", "send"), (f"{REFRESH}.dlq", "send"),
    },
    "checker": {
        (OBSERVED, "receive"), (ENTITIES, "receive"), (COMMANDS, "receive"), (ENTITIES, "send"), (DISCREPANCIES, "send"),
        (REFRESH, "send"), (f"{OBSERVED}.dlq", "send"), (f"{ENTITIES}.dlq", "send"), (f"{DISCREPANCIES}.dlq", None),
    },
    "syncer": {
        (COMMANDS, "receive"), (RESULTS, "send"), (REFRESH, "send"), (COMMANDS, "send"),
        (f"{COMMANDS}.dlq", "send"), (f"{RESULTS}.dlq", None),
    },
    "dashboard": {(COMMANDS, "send"), (REFRESH, "send")},
}  # fmt: skip


@cache
def generated() -> dict[str, Document]:
    return {service: build() for service, build in SERVICES.items()}


def channels_of(document: Document) -> dict[str, dict[str, JsonValue]]:
    channels = document["channels"]
    assert isinstance(channels, dict)
    return {name: channel for name, channel in channels.items() if isinstance(channel, dict)}


def channel_actions(document: Document) -> set[tuple[str, str | None]]:
    """(address, action) of every channel; action None for a channel no operation uses."""
    operations = document["operations"]
    assert isinstance(operations, dict)
    actions: dict[str, list[str]] = {}
    for operation in operations.values():
        assert isinstance(operation, dict) and isinstance(operation["channel"], dict)
        channel, action = (
            str(operation["channel"]["$ref"]).removeprefix("#/channels/"),
            str(operation["action"]),
        )
        actions.setdefault(channel, []).append(action)
    pairs: set[tuple[str, str | None]] = set()
    for name, channel in channels_of(document).items():
        pairs.update((str(channel["address"]), action) for action in actions.get(name, [None]))
    return pairs


def resolve(document: Document, ref: str) -> JsonValue:
    node: JsonValue = document
    for step in ref.removeprefix("#/").split("/"):
        assert isinstance(node, dict), ref
        node = node[step]
    return node


def references(node: JsonValue) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def test_the_committed_documents_match_the_code() -> None:
    stale = [
        path
        for path, text in documents().items()
        if not (COMMITTED / path).is_file() or (COMMITTED / path).read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"{REGENERATE}: {stale}"


def test_no_committed_file_is_left_over_from_a_removed_service_or_message_type() -> None:
    committed = {path.relative_to(COMMITTED).as_posix() for path in COMMITTED.rglob("*.json")}
    assert committed == set(documents()), REGENERATE


def test_there_is_one_document_per_service_and_one_schema_per_message_type() -> None:
    files = set(documents())
    assert {f"{service}.asyncapi.json" for service in EXPECTED_CHANNELS} <= files
    assert len([path for path in files if path.startswith("schemas/")]) == len(MESSAGE_TYPES)


@pytest.mark.parametrize("service", sorted(EXPECTED_CHANNELS))
def test_each_service_document_has_exactly_the_channels_its_wiring_declares(service: str) -> None:
    assert channel_actions(generated()[service]) == EXPECTED_CHANNELS[service]


def test_every_topic_and_dead_letter_topic_is_a_channel_of_some_service() -> None:
    addresses = {address for document in generated().values() for address, _ in channel_actions(document)}
    assert set(all_topics()) - addresses == set()
    assert addresses - set(all_topics()) == set()


@pytest.mark.parametrize("service", sorted(EXPECTED_CHANNELS))
def test_every_reference_in_a_document_resolves(service: str) -> None:
    document = generated()[service]
    for ref in references(document):
        resolve(document, ref)


def payload_classes(document: Document, channel: dict[str, JsonValue]) -> set[str]:
    """Names of the message classes a channel's payload schema admits (one, or a ``oneOf`` union)."""
    names: set[str] = set()
    for message_ref in references(channel["messages"]):
        message = resolve(document, message_ref)
        assert isinstance(message, dict) and isinstance(message["payload"], dict)
        payload_ref = str(message["payload"]["$ref"])
        payload = resolve(document, payload_ref)
        assert isinstance(payload, dict)
        union = payload.get("oneOf")
        refs = list(references(union)) if union is not None else [payload_ref]
        names.update(ref.rsplit("/", 1)[-1] for ref in refs)
    return names


@pytest.mark.parametrize("service", sorted(EXPECTED_CHANNELS))
def test_each_published_topic_carries_the_schemas_of_exactly_its_message_types(service: str) -> None:
    document = generated()[service]
    class_of = {type_name(message_class): message_class.__name__ for message_class in MESSAGE_TYPES}
    operations = document["operations"]
    assert isinstance(operations, dict)
    sends = [op for op in operations.values() if isinstance(op, dict) and op["action"] == "send"]
    published = 0
    for operation in sends:
        assert isinstance(operation["channel"], dict)
        channel = resolve(document, str(operation["channel"]["$ref"]))
        assert isinstance(channel, dict)
        kinds = message_types_on(str(channel["address"]))
        if kinds:  # dead-letter topics carry other topics' records unchanged: no schema of their own
            assert payload_classes(document, channel) == {class_of[kind] for kind in kinds}
            published += 1
    assert published > 0


def test_every_schema_validates_real_messages_of_its_type() -> None:
    schemas = message_json_schemas()
    checked = set()
    for message in every_message():
        jsonschema.validate(json.loads(message.model_dump_json()), schemas[message.type])
        checked.add(message.type)
    assert checked == set(schemas)


def test_writing_removes_generated_files_the_code_no_longer_produces(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "retired_type.v1.json").write_text("{}")
    (tmp_path / "retired.asyncapi.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("kept")

    _, removed = write(tmp_path)

    assert {path.name for path in removed} == {"retired_type.v1.json", "retired.asyncapi.json"}
    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")} == set(documents())
    assert (tmp_path / "notes.txt").read_text() == "kept"
