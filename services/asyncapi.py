"""Concord's published contract: one AsyncAPI 3.0 document per service, one JSON Schema per message type.

Generated from the code: each document is FastStream's rendering of the broker that service's own
wiring builds (on in-memory ports and a broker that is never started, so nothing connects); the
schemas are ``shared.core.events.message_json_schemas``. Channels a service only provisions for
outside subscribers (its topics' ``PROVISIONED_ONLY``) are kept without an operation.

``python -m services.asyncapi [directory]`` writes them (default ``docs/asyncapi``) and removes stale
ones; ``tests/unit/services/test_asyncapi.py`` fails when the committed files and the code disagree.
"""

import json
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Final

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import JsonValue, SecretStr

from services.checker import app as checker
from services.checker import topics as checker_topics
from services.checker.pulse import PulseSettings
from services.checker.settings import CheckerSettings
from services.dashboard import topics as dashboard_topics
from services.ingest import app as ingest
from services.ingest import topics as ingest_topics
from services.ingest.consumers import ConsumerPorts
from services.ingest.metrics import IngestMetrics
from services.ingest.settings import IngestSettings
from services.syncer import app as syncer
from services.syncer import topics as syncer_topics
from services.syncer.settings import SyncerSettings
from shared.adapters.batches import DeadLetters
from shared.core.events import message_json_schemas
from shared.core.sync.fakes import FakeCommandStore
from shared.core.testing import FakeProcessedLedger, RecordingPublisher
from shared.core.testing.checker_fakes import (
    FakeDiscrepancyRepository,
    FakeEntityRepository,
    FakeSnapshotRepository,
)
from shared.core.testing.pulse_fakes import FakeCheckStateStore, FakeSyncWriteLog

Document = dict[str, JsonValue]

DOCUMENTED_BOOTSTRAP: Final = "kafka:9092"
CONTRACT_VERSION: Final = "1.0.0"
VERSIONING = (
    "Message schemas are versioned by `schema_version` (docs/asyncapi/schemas/<type>.v<N>.json); "
    "topic names carry their major version (`.v1`)."
)


def _without_operations(document: Document, provisioned_only: frozenset[str]) -> Document:
    """``document`` without the operations of the ``provisioned_only`` channels (kept as channels):
    FastStream renders every declared publisher as a send, which those channels never see."""
    operations = document.get("operations")
    if isinstance(operations, dict):
        document["operations"] = {name: op for name, op in operations.items() if name not in provisioned_only}
    return document


def _rendered(broker: KafkaBroker, service: str, summary: str, provisioned_only: frozenset[str]) -> Document:
    """FastStream's document of ``broker`` under a Concord header."""
    header = AsyncAPI(
        broker, title=f"Concord {service}", version=CONTRACT_VERSION, description=f"{summary} {VERSIONING}"
    )
    document: Document = header.to_specification().to_jsonable()
    return _without_operations(document, provisioned_only)


def ingest_asyncapi() -> Document:
    """Ingest's real consumer registration and its published topics."""
    unused = SecretStr("documentation-only")  # webhook secrets are required, and never used here
    settings = IngestSettings(
        kafka_bootstrap=DOCUMENTED_BOOTSTRAP, topic_prefix="", hubspot_client_secret=unused,
        shopify_api_secret=unused, netsuite_callout_secret=unused,
    )  # fmt: skip
    broker = KafkaBroker(DOCUMENTED_BOOTSTRAP)
    ports = ConsumerPorts(
        publisher=RecordingPublisher(), dead_letters=DeadLetters(broker), processed=FakeProcessedLedger(),
        metrics=IngestMetrics(), clock=lambda: datetime.now(UTC),
    )  # fmt: skip
    ingest.register_consumers(broker, settings, {}, ports)
    ingest_topics.declare_published_topics(broker, settings.topic_prefix)
    summary = "Topics ingest consumes (raw notifications to hydrate, refresh requests) and publishes."
    return _rendered(broker, "ingest", summary, frozenset())


def checker_asyncapi() -> Document:
    """The checker app as ``build_app`` wires it (its own AsyncAPI header)."""
    settings = CheckerSettings(
        kafka_bootstrap=DOCUMENTED_BOOTSTRAP, topic_prefix="", pulse=PulseSettings(enabled=False)
    )
    ports = checker.CheckerPorts(
        broker=KafkaBroker(DOCUMENTED_BOOTSTRAP), publisher=RecordingPublisher(), snapshots=FakeSnapshotRepository(),
        entities=FakeEntityRepository(), discrepancies=FakeDiscrepancyRepository(),
        check_states=FakeCheckStateStore(), sync_writes=FakeSyncWriteLog(), ledger=FakeProcessedLedger(),
    )  # fmt: skip
    document: Document = checker.build_app(settings, ports=ports).schema.to_specification().to_jsonable()
    return _without_operations(document, checker_topics.PROVISIONED_ONLY)


def syncer_asyncapi() -> Document:
    """The syncer app as ``build_app`` wires it; its MongoDB client is built but never used."""
    settings = SyncerSettings(kafka_bootstrap=DOCUMENTED_BOOTSTRAP, topic_prefix="")
    ports = syncer.SyncerPorts(
        broker=KafkaBroker(DOCUMENTED_BOOTSTRAP), connectors={}, store=FakeCommandStore(),
        write_log=FakeSyncWriteLog(), publisher=RecordingPublisher(),
    )  # fmt: skip
    syncer.build_app(settings, ports=ports)
    summary = "Topics the syncer consumes (approved sync commands) and publishes."
    return _rendered(ports.broker, "syncer", summary, syncer_topics.PROVISIONED_ONLY)


def dashboard_asyncapi() -> Document:
    """The dashboard's publishers, declared on a documentation-only broker (it has no FastStream app)."""
    broker = KafkaBroker(DOCUMENTED_BOOTSTRAP)
    dashboard_topics.declare_published_topics(broker, "")
    summary = "Topics the dashboard publishes (operator commands and re-checks); it consumes none."
    return _rendered(broker, "dashboard", summary, frozenset())


SERVICES: Final[Mapping[str, Callable[[], Document]]] = MappingProxyType(
    {
        "ingest": ingest_asyncapi,
        "checker": checker_asyncapi,
        "syncer": syncer_asyncapi,
        "dashboard": dashboard_asyncapi,
    }
)
"""Service name -> builder of its AsyncAPI document (``<name>.asyncapi.json``)."""


def rendered(value: object) -> str:
    """The committed text form: sorted keys, two-space indent, trailing newline."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def documents() -> dict[str, str]:
    """Relative path -> text of every generated file: the service documents and every message schema."""
    files = {f"{service}.asyncapi.json": rendered(build()) for service, build in SERVICES.items()}
    for schema in message_json_schemas().values():
        name = f"{schema['x-concord-message-type']}.v{schema['x-concord-schema-version']}.json"
        files[f"schemas/{name}"] = rendered(schema)
    return files


def write(directory: Path) -> tuple[list[Path], list[Path]]:
    """Write every generated file under ``directory`` and delete generated-looking files the code no
    longer produces (``*.asyncapi.json``, ``schemas/*.json``); returns (written, removed)."""
    files = documents()
    stale = [
        path
        for path in [*directory.glob("*.asyncapi.json"), *directory.glob("schemas/*.json")]
        if path.relative_to(directory).as_posix() not in files
    ]
    for path in stale:
        path.unlink()
    written: list[Path] = []
    for relative, text in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written, stale


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/asyncapi")
    written, removed = write(directory)
    sys.stdout.writelines(
        [*(f"wrote {path}\n" for path in written), *(f"removed {path}\n" for path in removed)]
    )


if __name__ == "__main__":
    main()
