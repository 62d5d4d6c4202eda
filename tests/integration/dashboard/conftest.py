"""A fresh database and topic prefix per test, the dashboard's settings in the environment, users."""

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC

import pytest
from argon2 import PasswordHasher
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.dashboard.runtime import Runtime, build_runtime
from services.dashboard.settings import DashboardSettings
from shared.adapters.kafka import ensure_topics
from shared.adapters.mongo.client import Document

PASSWORDS = {"olivia": "operator-pass", "victor": "viewer-pass"}
ROLES = {"olivia": "operator", "victor": "viewer"}


@pytest.fixture(scope="session")
def users_json() -> str:
    hasher = PasswordHasher()
    return json.dumps(
        [{"name": n, "role": ROLES[n], "password_hash": hasher.hash(p)} for n, p in PASSWORDS.items()]
    )


@pytest.fixture
async def database(mongo_uri: str, unique: str) -> AsyncIterator[AsyncDatabase[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, tz_aware=True, tzinfo=UTC)
    yield client[f"test_{unique}"]
    await client.drop_database(f"test_{unique}")
    await client.close()


@pytest.fixture
async def settings(
    monkeypatch: pytest.MonkeyPatch, kafka_bootstrap: str, mongo_uri: str, unique: str, users_json: str
) -> DashboardSettings:
    """The environment the AppTest script reads, and the same settings as an object."""
    prefix = f"dash{unique}"
    environment = {
        "CONCORD_KAFKA_BOOTSTRAP": kafka_bootstrap, "CONCORD_MONGODB_URI": mongo_uri,
        "CONCORD_MONGODB_DATABASE": f"test_{unique}", "CONCORD_TOPIC_PREFIX": prefix,
        "CONCORD_DASHBOARD_USERS": users_json, "CONCORD_INBOX_REFRESH_SECONDS": "600",
    }  # fmt: skip
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    await ensure_topics(kafka_bootstrap, prefix, partitions=1)
    return DashboardSettings()


@pytest.fixture
def runtime(settings: DashboardSettings) -> Iterator[Runtime]:
    """The real runtime (Mongo, Kafka producer), handed to each AppTest session; closed afterwards."""
    built = build_runtime(settings)
    yield built
    built.close()
