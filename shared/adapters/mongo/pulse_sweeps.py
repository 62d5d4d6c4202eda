"""``pulse_sweeps``: the pulse's latest sweep, for the dashboard's health page.

One document (``_id`` = ``latest``) replaced whole by the replica that holds the pulse lease after each
sweep; the dashboard reads it by ``_id``. Only the latest is kept: history belongs to the checker's
metrics (``concord_pulse_backlog`` and friends).
"""

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.adapters.mongo.client import Document
from shared.core.verification import PulseSweep

COLLECTION = "pulse_sweeps"
LATEST = "latest"


class MongoPulseSweepLog:
    """``ports.PulseSweepLog`` on MongoDB."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database[COLLECTION]

    async def record(self, sweep: PulseSweep) -> None:
        document = {"sweep": sweep.model_dump(mode="json")}
        try:
            await self._collection.replace_one({"_id": LATEST}, document, upsert=True)
        except DuplicateKeyError:  # a lease handover: the other replica created it at the same moment
            await self._collection.replace_one({"_id": LATEST}, document)

    async def latest(self) -> PulseSweep | None:
        document = await self._collection.find_one({"_id": LATEST})
        return None if document is None else PulseSweep.model_validate(document["sweep"])


__all__ = ["COLLECTION", "MongoPulseSweepLog"]
