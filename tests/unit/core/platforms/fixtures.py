"""Loading the real-format platform payloads in tests/fixtures/platforms/.

File names are ``<system>.<object_type>.<name>.json``; ``search`` and ``webhook`` files hold
responses and deliveries rather than single records.
"""

import json
from pathlib import Path

from shared.core.model import System

FIXTURES = Path(__file__).parents[3] / "fixtures" / "platforms"
NON_RECORD_KINDS = frozenset({"search", "webhook"})


def load(name: str) -> dict[str, object]:
    """A fixture object by file name (without ``.json``)."""
    payload = json.loads((FIXTURES / f"{name}.json").read_text())
    assert isinstance(payload, dict)
    return payload


def load_any(name: str) -> object:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def record_fixtures() -> list[tuple[System, str, str]]:
    """(system, object type, fixture name) of every single-record fixture."""
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        system, object_type, _ = path.name.split(".", 2)
        if object_type not in NON_RECORD_KINDS:
            found.append((System(system), object_type, path.stem))
    return found
