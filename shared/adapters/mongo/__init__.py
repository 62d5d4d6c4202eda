"""MongoDB adapters (pymongo's async API). Everything stays inside what FerretDB 1.24 also supports."""

from shared.adapters.mongo.client import connect_mongo
from shared.adapters.mongo.coordination import MongoCursorStore, MongoLeaseStore
from shared.adapters.mongo.ledger import MongoProcessedLedger

__all__ = ["MongoCursorStore", "MongoLeaseStore", "MongoProcessedLedger", "connect_mongo"]
