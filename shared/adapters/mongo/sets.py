"""Sets that replicas grow concurrently without losing members, on FerretDB 1.24 as on MongoDB.

FerretDB 1.24 applies an update as an unisolated read-modify-write: concurrent ``$addToSet``s on
one document lose members (60 writers left 7), and a conditional filter is no compare-and-swap.
Its one atomic write is an insert that collides on ``_id``. So member *i* of set *S* is its own
document, ``_id`` ``S#i``, and an add claims the first free slot by inserting it. Slots fill in
order (a writer claims slot *i* only after seeing every lower slot taken), so a set is read by
point lookups slot after slot until the first free one: the only lookup FerretDB serves without a
scan. That costs a round trip per member, which suits the small sets kept here (a blocking key
names one entity unless records conflict; a customer has a handful of orders).

Members are never removed: a reader filters out the ones that no longer apply.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from pymongo.asynchronous.collection import AsyncCollection

from shared.adapters.mongo.bulk import find_by_ids, insert_ignoring_duplicates
from shared.adapters.mongo.client import Document


class GrowOnlySets:
    """Named sets of strings in one collection; each member a document ``{_id: "<set>#<slot>", set, member}``."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def members(self, set_ids: Collection[str]) -> dict[str, list[str]]:
        """Each non-empty set's members, in the order they were added."""
        found: dict[str, list[str]] = {}
        reading, slot = sorted(set(set_ids)), 0
        while reading:
            documents = await find_by_ids(self._collection, [_slot_id(s, slot) for s in reading])
            for document in documents:
                found.setdefault(document["set"], []).append(document["member"])
            reading = sorted({str(document["set"]) for document in documents})
            slot += 1
        return {set_id: list(dict.fromkeys(members)) for set_id, members in found.items()}

    async def add(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Add each ``(set, member)``; a member already in its set is left as it is (idempotent)."""
        wanted: dict[str, list[str]] = defaultdict(list)
        for set_id, member in sorted(set(pairs)):
            wanted[set_id].append(member)
        stored = await self.members(wanted)
        pending = {s: [m for m in members if m not in stored.get(s, [])] for s, members in wanted.items()}
        next_slot = {s: len(stored.get(s, [])) for s in wanted}
        while claims := [(s, members[0]) for s, members in pending.items() if members]:
            # One slot per set per round: a set's slots are claimed in order, so none is left empty.
            documents = [{"_id": _slot_id(s, next_slot[s]), "set": s, "member": m} for s, m in claims]
            taken = set(await insert_ignoring_duplicates(self._collection, documents))
            holders = await self._holders([documents[index]["_id"] for index in taken])
            for index, (set_id, member) in enumerate(claims):
                # A slot another writer took holds its member, which may be one of ours too.
                placed = holders[documents[index]["_id"]] if index in taken else member
                pending[set_id] = [m for m in pending[set_id] if m != placed]
                next_slot[set_id] += 1

    async def _holders(self, slot_ids: Collection[str]) -> Mapping[str, str]:
        documents = await find_by_ids(self._collection, slot_ids)
        return {str(document["_id"]): str(document["member"]) for document in documents}


def _slot_id(set_id: str, slot: int) -> str:
    return f"{set_id}#{slot}"


__all__ = ["GrowOnlySets"]
