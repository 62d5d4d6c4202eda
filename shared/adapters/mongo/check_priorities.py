"""``check_priorities``: the check priority an operator set per (entity, dimension).

The dashboard is the only writer; the checker's pulse scheduler reads it when it ranks due pairs,
and the dashboard reads it for the inbox's "raised" marks. One document per pair (``_id`` =
``<entity_id>|<dimension>``, as in ``check_state``) written whole, so a second raise simply
replaces the first; clearing a priority deletes the document.
"""

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.adapters.mongo.check_state import pair_id
from shared.adapters.mongo.client import Document
from shared.core.errors import InvalidInput
from shared.core.model import EntityId

COLLECTION = "check_priorities"


class MongoCheckPriorities:
    """``ports.CheckPriorities`` on MongoDB."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database[COLLECTION]

    async def set(self, entity_id: EntityId, dimension: str, priority: float | None) -> None:
        """Raises ``InvalidInput`` for a priority that is not greater than 0."""
        if priority is None:
            await self._collection.delete_one({"_id": pair_id(entity_id, dimension)})
            return
        if not priority > 0:
            raise InvalidInput(f"a check priority must be greater than 0, not {priority}")
        document = {"entity_id": entity_id, "dimension": dimension, "priority": float(priority)}
        selector = {"_id": pair_id(entity_id, dimension)}
        try:
            await self._collection.replace_one(selector, document, upsert=True)
        except DuplicateKeyError:  # another replica created it at the same moment: replace theirs
            await self._collection.replace_one(selector, document)

    async def raised(self) -> dict[tuple[EntityId, str], float]:
        cursor = self._collection.find({}, {"entity_id": 1, "dimension": 1, "priority": 1})
        return {
            (EntityId(str(d["entity_id"])), str(d["dimension"])): float(d["priority"]) async for d in cursor
        }


__all__ = ["COLLECTION", "MongoCheckPriorities"]
