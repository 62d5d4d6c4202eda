"""Building the MongoDB client from settings."""

from datetime import UTC
from typing import Any

from pymongo import AsyncMongoClient

from shared.adapters.settings import ServiceSettings

Document = dict[str, Any]
"""A BSON document as pymongo returns it; typed at this boundary only, parsed into models right after."""


def connect_mongo(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    """An async client returning aware UTC datetimes; connects lazily on first use."""
    return AsyncMongoClient(
        settings.mongodb_uri.get_secret_value(),
        tz_aware=True,
        tzinfo=UTC,
        appname=settings.service_name,
        serverSelectionTimeoutMS=5000,
    )
