"""What every contract suite's MongoDB side needs: a scratch database, dropped afterwards."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.client import Document


@asynccontextmanager
async def scratch_database(
    request: pytest.FixtureRequest, unique: str
) -> AsyncIterator[AsyncDatabase[Document]]:
    """A database of its own on the session's MongoDB-protocol server (``mongo_uri``), dropped on exit.

    A context manager, not a fixture: the suites ask for it only in their "mongodb" parameter, so
    the "fake" runs need no server."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        request.getfixturevalue("mongo_uri"), tz_aware=True, tzinfo=UTC
    )
    database = client[f"test_{unique}"]
    try:
        yield database
    finally:
        await client.drop_database(database.name)
        await client.close()
