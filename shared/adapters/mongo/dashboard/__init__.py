"""The dashboard's read models over the checker's and syncer's collections, and its own annotations."""

from shared.adapters.mongo.dashboard.annotations import MongoAnnotationStore
from shared.adapters.mongo.dashboard.checkpoints import MongoInboxCheckpoints
from shared.adapters.mongo.dashboard.reads import DashboardReader, EntityRecords

__all__ = ["DashboardReader", "EntityRecords", "MongoAnnotationStore", "MongoInboxCheckpoints"]
