"""``dashboard_annotations``: what operators add to entities; the dashboard is its only writer.

One document per entity (``_id`` = entity id) holding ``EntityAnnotations`` as JSON and its
``revision``; a save replaces the document only if the revision is still the one read, so two
operators editing at once get :class:`ConcurrentEdit` instead of a lost update.

A raised check priority is written to ``check_priorities`` (also the dashboard's alone), where the
checker's pulse scheduler reads it; the annotations keep who raised it and when.
"""

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.adapters.mongo.check_priorities import MongoCheckPriorities
from shared.adapters.mongo.client import Document
from shared.core.dashboard.annotations import EntityAnnotations
from shared.core.errors import ConcordError
from shared.core.model import EntityId

COLLECTION = "dashboard_annotations"


class ConcurrentEdit(ConcordError):
    """Someone saved the entity's annotations since they were read."""


class MongoAnnotationStore:
    """Load and save ``EntityAnnotations``; list raised priorities."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database[COLLECTION]
        self._priorities = MongoCheckPriorities(database)

    async def load(self, entity_id: EntityId) -> EntityAnnotations:
        document = await self._collection.find_one({"_id": entity_id})
        if document is None:
            return EntityAnnotations(entity_id=entity_id)
        return EntityAnnotations.model_validate(document["annotations"])

    async def load_all(self) -> dict[str, EntityAnnotations]:
        """Every annotated entity (only entities an operator touched are stored)."""
        cursor = self._collection.find({}, {"annotations": 1})
        items = [EntityAnnotations.model_validate(d["annotations"]) async for d in cursor]
        return {item.entity_id: item for item in items}

    async def save(self, annotations: EntityAnnotations) -> EntityAnnotations:
        """Store ``annotations`` if nobody saved since it was read; raises :class:`ConcurrentEdit`."""
        saved = annotations.model_copy(update={"revision": annotations.revision + 1})
        document = {"revision": saved.revision, "annotations": saved.model_dump(mode="json")}
        if annotations.revision == 0:
            try:
                await self._collection.insert_one({"_id": annotations.entity_id, **document})
            except DuplicateKeyError as error:
                raise ConcurrentEdit(f"annotations of {annotations.entity_id} were just created") from error
            return saved
        result = await self._collection.replace_one(
            {"_id": annotations.entity_id, "revision": annotations.revision}, document
        )
        if result.matched_count != 1:
            raise ConcurrentEdit(f"annotations of {annotations.entity_id} changed meanwhile; reload")
        return saved

    async def raise_priority(self, entity_id: EntityId, dimension: str, priority: float | None) -> None:
        """Set (``None``: clear) the pair's check priority; it may be set before the pair is first checked."""
        await self._priorities.set(entity_id, dimension, priority)

    async def raised_pairs(self) -> set[tuple[str, str]]:
        """(entity, dimension) pairs whose priority an operator raised."""
        return set(await self._priorities.raised())


__all__ = ["COLLECTION", "ConcurrentEdit", "MongoAnnotationStore"]
