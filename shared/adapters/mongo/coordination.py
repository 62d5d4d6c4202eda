"""Cursors, leases and processed-message records in MongoDB: what lets replicas cooperate safely."""

from datetime import datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.adapters.mongo.bulk import find_by_ids
from shared.adapters.mongo.client import Document
from shared.core.ports import PollCursor


class MongoCursorStore:
    """Poll cursors in ``poll_cursors``, one document per cursor key. Written by ingest only."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database["poll_cursors"]

    async def load(self, key: str) -> PollCursor | None:
        document = await self._collection.find_one({"_id": key})
        if document is None:
            return None
        return PollCursor(
            key=key,
            position=document["position"],
            token=document.get("token"),
            updated_at=document["updated_at"],
            published=document.get("published") or {},
        )

    async def save(self, cursor: PollCursor) -> None:
        await self._collection.replace_one(
            {"_id": cursor.key},
            {
                "position": cursor.position,
                "token": cursor.token,
                "updated_at": cursor.updated_at,
                "published": cursor.published,
            },
            upsert=True,
        )


class MongoLeaseStore:
    """Leases in ``leases`` as immutable grants: one document per lease name and term.

    FerretDB 1.24 applies a conditional update without isolation, so a "take it if it lapsed"
    ``find_one_and_update`` lets two replicas both take one lease. Its one atomic write is an insert
    that collides on ``_id``, so time is cut into terms of one TTL and the grant ``<name>@<term>``,
    claimed by inserting it, names the holder of that term. A holder claims the next term whenever
    it renews, and holds the lease only while it has both: so it holds at least one TTL past every
    renewal, keeps the lease as long as it renews at least once per TTL, and a holder that stops
    renewing loses it at the end of the term after its last renewal (between one and two TTLs later).
    Every replica of a lease must use one TTL, and correctness relies on replicas' clocks agreeing to
    well within it.
    """

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database["leases"]
        self._held: dict[tuple[str, str], tuple[str, ...]] = {}  # the grants to delete on release

    async def acquire(self, name: str, holder: str, *, ttl: timedelta, now: datetime) -> bool:
        term = int(now.timestamp() // ttl.total_seconds())
        current, following = _grant_id(name, term), _grant_id(name, term + 1)
        stored = {
            str(d["_id"]): str(d["holder"]) for d in await find_by_ids(self._collection, [current, following])
        }
        if current not in stored:
            stored[current] = await self._claim(current, name, holder, now)
        if stored[current] == holder and following not in stored:
            stored[following] = await self._claim(following, name, holder, now)
            # A grant three terms old is nobody's any more: one per lease renewal cycle is removed.
            await self._collection.delete_one({"_id": _grant_id(name, term - 2)})
        self._held[(name, holder)] = tuple(
            grant for grant in (current, following) if stored.get(grant) == holder
        )
        return stored[current] == holder and stored[following] == holder

    async def release(self, name: str, holder: str) -> None:
        for grant in self._held.pop((name, holder), ()):
            await self._collection.delete_one({"_id": grant, "holder": holder})

    async def _claim(self, grant: str, name: str, holder: str, now: datetime) -> str:
        """The holder of ``grant`` after trying to take it: ``holder`` if this insert won."""
        try:
            await self._collection.insert_one({"_id": grant, "name": name, "holder": holder, "taken_at": now})
        except DuplicateKeyError:
            document = await self._collection.find_one({"_id": grant})
            return "" if document is None else str(document["holder"])
        return holder


def _grant_id(name: str, term: int) -> str:
    return f"{name}@{term}"
