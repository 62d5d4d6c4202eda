"""Canonical entities, their blocking keys, links and link proposals.

Written by the checker only. Reads are by ``_id`` (FerretDB answers ``_id`` lookups from its
primary key but scans for any other field), except an entity's links, read by ``entity_id``. FerretDB
1.24 loses concurrent updates of one document, so what several records add to at once is never a
list in one document: it is a link per record, or a :class:`GrowOnlySets` set.

- ``entities``: ``_id`` entity id; ``entity_type``, ``created_at``;
- ``entity_keys``: sets ``<entity type>|<blocking key>`` of the entity ids indexed under the key;
- ``proposals_by_entity``: sets ``<entity id>`` of the record keys proposed for it (a stale entry
  is filtered out on read);
- ``links``: ``_id`` ``ExternalRef.key``, so a record has one link and the first stored wins;
- ``link_proposals``: ``_id`` ``ExternalRef.key``, one open proposal per record;
- ``link_rejections``: ``_id`` ``ExternalRef.key``; ``entity_ids`` an operator detached it from;
- ``entity_merges``: ``_id`` a merged entity id; ``into`` the entity it was merged into (insert-only,
  so the first merge of an entity stands however many replicas decide it at once).
"""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.bulk import find_by_ids, insert_ignoring_duplicates
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.sets import GrowOnlySets
from shared.core.model import EntityId, EntityType, ExternalRef
from shared.core.repositories import Link, LinkProposal


class MongoEntityRepository:
    """``repositories.EntityRepository`` (and ``LinkedRecordsReader``) on MongoDB."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._entities = database["entities"]
        self._keys = GrowOnlySets(database["entity_keys"])
        self._proposed = GrowOnlySets(database["proposals_by_entity"])
        self._links = database["links"]
        self._proposals = database["link_proposals"]
        self._rejections = database["link_rejections"]
        self._merges = database["entity_merges"]

    async def ensure_indexes(self) -> None:
        """``links.entity_id``: an entity's links are read by it (idempotent)."""
        await self._links.create_index("entity_id")

    async def linked_refs(self, entity_ids: Sequence[EntityId]) -> dict[EntityId, tuple[ExternalRef, ...]]:
        found: dict[EntityId, tuple[ExternalRef, ...]] = {}
        for entity_id, links in (await self.links_of_entities(entity_ids)).items():
            refs = tuple(link.ref for link in links if link.merged_into is None)
            if refs:
                found[entity_id] = refs
        return found

    async def links_of(self, ref_keys: Collection[str]) -> dict[str, Link]:
        return {document["_id"]: _link_of(document) for document in await find_by_ids(self._links, ref_keys)}

    async def links_of_entities(self, entity_ids: Collection[EntityId]) -> dict[EntityId, list[Link]]:
        # Read from the links themselves, not the entity's ``refs`` list: FerretDB 1.24 loses
        # concurrent ``$addToSet``s on one document, while each link is its own insert-only document.
        if not entity_ids:
            return {}
        documents = self._links.find({"entity_id": {"$in": sorted(entity_ids)}})
        links = sorted([_link_of(document) async for document in documents], key=lambda link: link.ref.key)
        found: dict[EntityId, list[Link]] = {}
        for link in links:
            found.setdefault(link.entity_id, []).append(link)
        return found

    async def entities_with_keys(
        self, entity_type: EntityType, keys: Collection[str]
    ) -> dict[EntityId, frozenset[str]]:
        if not keys:
            return {}
        by_id = {_key_id(entity_type, key): key for key in keys}
        indexed = {
            key_id: [EntityId(entity_id) for entity_id in entity_ids]
            for key_id, entity_ids in (await self._keys.members(by_id)).items()
        }
        survivors = await self.survivors({entity_id for found in indexed.values() for entity_id in found})
        found: dict[EntityId, set[str]] = {}
        for key_id, entity_ids in indexed.items():
            for entity_id in entity_ids:
                found.setdefault(survivors.get(entity_id, entity_id), set()).add(by_id[key_id])
        return {entity_id: frozenset(found[entity_id]) for entity_id in sorted(found)}

    async def merge(self, merged: EntityId, into: EntityId, *, at: datetime) -> EntityId:
        into = (await self.survivors([into])).get(into, into)
        if await insert_ignoring_duplicates(self._merges, [{"_id": merged, "into": into, "at": at}]):
            stored = await self._merges.find_one({"_id": merged})
            into = EntityId(str(stored["into"])) if stored else into
        await self._links.update_many({"entity_id": merged}, {"$set": {"entity_id": into}})
        return into

    async def survivors(self, entity_ids: Collection[EntityId]) -> dict[EntityId, EntityId]:
        current = {entity_id: entity_id for entity_id in entity_ids}
        for _ in range(_MAX_MERGE_CHAIN):
            moved = {
                str(d["_id"]): EntityId(str(d["into"]))
                for d in await find_by_ids(self._merges, set(current.values()))
            }
            if not moved:
                break
            current = {entity_id: moved.get(now, now) for entity_id, now in current.items()}
        return {entity_id: survivor for entity_id, survivor in current.items() if survivor != entity_id}

    async def attach(self, link: Link, keys: Collection[str]) -> Link:
        """One :meth:`attach_all` item."""
        return (await self.attach_all([(link, keys)]))[0]

    async def attach_all(self, items: Sequence[tuple[Link, Collection[str]]]) -> list[Link]:
        """:meth:`attach` for several links in a handful of bulk round trips; returns the stored links."""
        if not items:
            return []
        entities: dict[str, Document] = {
            link.entity_id: {"_id": link.entity_id, "entity_type": link.entity_type.value,
                             "created_at": link.linked_at}
            for link, _ in reversed(items)
        }  # fmt: skip
        await insert_ignoring_duplicates(self._entities, list(entities.values()))
        # Links before keys: whoever finds the entity under a key finds its links too.
        documents = [{"_id": link.ref.key, **link.model_dump(mode="json")} for link, _ in items]
        taken = set(await insert_ignoring_duplicates(self._links, documents))
        await self._index_keys([(link.entity_type, link.entity_id, keys) for link, keys in items])
        await self._proposals.delete_many({"_id": {"$in": [link.ref.key for link, _ in items]}})
        if not taken:
            return [link for link, _ in items]
        stored = await self.links_of([items[index][0].ref.key for index in taken])
        return [
            stored.get(link.ref.key, link) if index in taken else link
            for index, (link, _) in enumerate(items)
        ]

    async def add_keys(self, items: Sequence[tuple[EntityType, EntityId, Collection[str]]]) -> None:
        await self._index_keys(items)

    async def propose(self, proposal: LinkProposal) -> None:
        existing = await insert_ignoring_duplicates(
            self._proposals, [{"_id": proposal.ref.key, **proposal.model_dump(mode="json")}]
        )
        if not existing:
            await self._proposed.add([(proposal.entity_id, proposal.ref.key)])

    async def proposals_for(self, entity_ids: Collection[EntityId]) -> dict[EntityId, list[LinkProposal]]:
        refs = {ref for found in (await self._proposed.members(entity_ids)).values() for ref in found}
        if not refs:
            return {}
        found: dict[EntityId, list[LinkProposal]] = {}
        for document in sorted(await find_by_ids(self._proposals, refs), key=lambda d: str(d["_id"])):
            proposal = LinkProposal.model_validate(_without_id(document))
            if proposal.entity_id in entity_ids:
                found.setdefault(proposal.entity_id, []).append(proposal)
        return found

    async def record_merge(self, merged_away: ExternalRef, survivor: ExternalRef) -> None:
        await self._links.update_one(
            {"_id": merged_away.key}, {"$set": {"merged_into": survivor.model_dump(mode="json")}}
        )

    async def detach(self, ref: ExternalRef, entity_id: EntityId) -> bool:
        deleted = await self._links.delete_one({"_id": ref.key, "entity_id": entity_id})
        return deleted.deleted_count > 0

    async def reject(self, ref: ExternalRef, entity_id: EntityId) -> None:
        await insert_ignoring_duplicates(self._rejections, [{"_id": ref.key, "entity_ids": []}])
        await self._rejections.update_one({"_id": ref.key}, {"$addToSet": {"entity_ids": entity_id}})

    async def forget_rejection(self, ref: ExternalRef, entity_id: EntityId) -> None:
        await self._rejections.update_one({"_id": ref.key}, {"$pull": {"entity_ids": entity_id}})

    async def rejections_of(self, ref_keys: Collection[str]) -> dict[str, frozenset[EntityId]]:
        found = await find_by_ids(self._rejections, ref_keys)
        return {
            str(document["_id"]): frozenset(EntityId(e) for e in document["entity_ids"])
            for document in found
            if document.get("entity_ids")
        }

    async def _index_keys(self, items: Sequence[tuple[EntityType, EntityId, Collection[str]]]) -> None:
        await self._keys.add(
            (_key_id(kind, key), entity_id) for kind, entity_id, keys in items for key in keys
        )


_MAX_MERGE_CHAIN = 8
"""Merges followed from an entity to its survivor; a survivor is the least id, so chains are short."""


def _key_id(entity_type: EntityType, key: str) -> str:
    return f"{entity_type.value}|{key}"


def _without_id(document: Document) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "_id"}


def _link_of(document: Document) -> Link:
    return Link.model_validate(_without_id(document))


__all__ = ["MongoEntityRepository"]
