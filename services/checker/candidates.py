"""Candidate entities for the matcher: an entity's linked records as they were last seen."""

from collections.abc import Mapping, Sequence
from typing import Protocol

from shared.core.matching import Candidate
from shared.core.model import EntityId, EntityType
from shared.core.repositories import AnySnapshot, EntityRepository, Link, SnapshotRepository


class _Stores(Protocol):
    @property
    def entities(self) -> EntityRepository: ...
    @property
    def snapshots(self) -> SnapshotRepository: ...


async def candidates_for(
    entity_ids: Sequence[EntityId],
    entity_type: EntityType,
    known: dict[str, AnySnapshot],
    stores: _Stores,
    unsaved: Mapping[EntityId, Sequence[Link]],
) -> list[Candidate]:
    """One candidate per entity with the snapshots of its live links.

    ``known`` holds the snapshots the caller already has (newer than stored ones within a batch);
    missing ones are loaded and added to it. ``unsaved`` are links made in this batch, not yet stored.
    """
    if not entity_ids:
        return []
    links = await stores.entities.links_of_entities(entity_ids)
    for entity_id in entity_ids:
        stored = {link.ref.key for link in links.get(entity_id, [])}
        links.setdefault(entity_id, []).extend(
            link for link in unsaved.get(entity_id, ()) if link.ref.key not in stored
        )
    refs = {link.ref.key for found in links.values() for link in found if link.merged_into is None}
    missing = refs - known.keys()
    if missing:
        known.update(await stores.snapshots.load_many(missing))
    return [
        Candidate(
            entity_id=entity_id,
            entity_type=entity_type,
            snapshots=tuple(
                known[link.ref.key]
                for link in links.get(entity_id, [])
                if link.merged_into is None and link.ref.key in known
            ),
        )
        for entity_id in entity_ids
    ]
