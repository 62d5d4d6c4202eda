"""Session fixtures shared by every test layer: real Kafka and a real MongoDB-protocol server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from tests.support.backends import Backends, choose_backend_kind, provide_backends
from tests.support.topic_cleanup import delete_topics_naming

_REPORTED: list[Backends] = []
_TOKENS: set[str] = set()  # every ``unique`` handed out this session; the topics are named after them


def pytest_report_header(config: pytest.Config) -> str:
    kind = choose_backend_kind()
    described = {
        "environment": "CONCORD_KAFKA_BOOTSTRAP / CONCORD_MONGODB_URI",
        "docker": "testcontainers (Docker)",
        "local": "local Apache Kafka + FerretDB (infra/local_infra.py)",
    }
    return f"concord backends: {described[kind]}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for backends in _REPORTED:
        terminalreporter.write_line(
            f"concord backends used: {backends.description}; "
            f"kafka={backends.kafka_bootstrap} mongodb={backends.mongo_uri}"
        )


@pytest.fixture(scope="session")
def backends() -> Iterator[Backends]:
    with provide_backends() as resolved:
        _REPORTED.append(resolved)
        yield resolved
        delete_topics_naming(resolved.kafka_bootstrap, _TOKENS)


@pytest.fixture(scope="session")
def kafka_bootstrap(backends: Backends) -> str:
    return backends.kafka_bootstrap


@pytest.fixture(scope="session")
def mongo_uri(backends: Backends) -> str:
    return backends.mongo_uri


@pytest.fixture
def unique() -> str:
    """A short unique token for names that must not collide between tests."""
    token = uuid.uuid4().hex[:12]
    _TOKENS.add(token)
    return token


@pytest.fixture
def topic_prefix(unique: str) -> str:
    """A per-test topic prefix, so tests never read each other's messages."""
    return f"test.{unique}."


@pytest.fixture(scope="session")
def mongo_client(mongo_uri: str) -> Iterator[MongoClient[dict[str, object]]]:
    client: MongoClient[dict[str, object]] = MongoClient(mongo_uri, tz_aware=True)
    yield client
    client.close()


@pytest.fixture
def mongo_db(
    mongo_client: MongoClient[dict[str, object]], unique: str
) -> Iterator[Database[dict[str, object]]]:
    """A fresh database per test, dropped afterwards."""
    name = f"test_{unique}"
    yield mongo_client[name]
    mongo_client.drop_database(name)
