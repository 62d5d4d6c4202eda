"""The checker's published contract: its AsyncAPI document and the JSON Schemas of what it publishes.

Generated from the code: the document is FastStream's AsyncAPI 3.0 rendering of the app that
``build_app`` wires (built on in-memory ports, so nothing connects), the schemas are
``shared.core.events.message_json_schema`` of each message type the checker publishes.

``python -m services.checker.asyncapi [directory]`` writes them (default ``docs/asyncapi``);
``tests/unit/services/checker/test_asyncapi.py`` fails when the committed files and the code disagree.
"""

import json
import sys
from pathlib import Path

from faststream.kafka import KafkaBroker
from pydantic import JsonValue

from services.checker.app import CheckerPorts, build_app
from services.checker.pulse import PulseSettings
from services.checker.settings import CheckerSettings
from shared.core.events import (
    DiscrepancyChanged,
    DiscrepancyOpened,
    DiscrepancyResolved,
    EntityChanged,
    message_json_schema,
    type_name,
)
from shared.core.testing import RecordingPublisher
from shared.core.testing.checker_fakes import (
    FakeDiscrepancyRepository,
    FakeEntityRepository,
    FakeProcessedLedger,
    FakeSnapshotRepository,
)
from shared.core.testing.pulse_fakes import FakeCheckStateStore, FakeSyncWriteLog

DOCUMENTED_BOOTSTRAP = "kafka:9092"
PUBLISHED = (DiscrepancyOpened, DiscrepancyChanged, DiscrepancyResolved, EntityChanged)
"""The message types the checker publishes, whose schemas are part of its contract."""


def checker_asyncapi() -> dict[str, JsonValue]:
    """The AsyncAPI document of the checker's topics (unprefixed names, a documentation server)."""
    settings = CheckerSettings(
        kafka_bootstrap=DOCUMENTED_BOOTSTRAP, topic_prefix="", pulse=PulseSettings(enabled=False)
    )
    broker = KafkaBroker(DOCUMENTED_BOOTSTRAP)
    ports = CheckerPorts(
        broker=broker, publisher=RecordingPublisher(), snapshots=FakeSnapshotRepository(),
        entities=FakeEntityRepository(), discrepancies=FakeDiscrepancyRepository(),
        check_states=FakeCheckStateStore(), sync_writes=FakeSyncWriteLog(), ledger=FakeProcessedLedger(),
    )  # fmt: skip
    document: dict[str, JsonValue] = build_app(settings, ports=ports).schema.to_specification().to_jsonable()
    return document


def published_schemas() -> dict[str, dict[str, JsonValue]]:
    """File name (``<type>.v<version>.json``) -> JSON Schema of each message type the checker publishes."""
    schemas: dict[str, dict[str, JsonValue]] = {}
    for message_class in PUBLISHED:
        schema = message_json_schema(message_class)
        schemas[f"{type_name(message_class)}.v{schema['x-concord-schema-version']}.json"] = schema
    return schemas


def rendered(value: object) -> str:
    """The committed text form: sorted keys, two-space indent, trailing newline."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def documents() -> dict[str, str]:
    """Relative path -> text of every generated file."""
    files = {"checker.asyncapi.json": rendered(checker_asyncapi())}
    files.update({f"schemas/{name}": rendered(schema) for name, schema in published_schemas().items()})
    return files


def write(directory: Path) -> list[Path]:
    """Write every generated file under ``directory``; returns the paths written."""
    written: list[Path] = []
    for relative, text in documents().items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/asyncapi")
    for path in write(directory):
        sys.stdout.write(f"{path}\n")


if __name__ == "__main__":
    main()
