"""Candidate entities for the matcher: an entity's linked records as they were last seen."""

from collections.abc import Mapping, Sequence
from typing import Protocol

from shared.core.matching import Candidate
from shared.core.model import Customer, EntityId, EntityType, ExternalRef, Order, Product
from shared.core.repositories import AnySnapshot, EntityRepository, Link, SnapshotRepository
from shared.core.snapshot import CanonicalView


class _Stores(Protocol):
    @property
    def entities(self) -> EntityRepository: ...
    @property
    def snapshots(self) -> SnapshotRepository: ...


def indexed_evidence(
    entity_type: EntityType, keys: frozenset[str]
) -> tuple[CanonicalView | None, frozenset[ExternalRef]]:
    """What the key index knows of an entity, as matcher evidence: the value key (email, SKU, order
    number) as a canonical picture, and ``ref:`` keys as records the entity names as itself.

    An entity keeps every key its records ever had, so a record whose email changed after linking
    still meets a new record under the old email.
    """
    refs = frozenset(ExternalRef.parse(key.removeprefix("ref:")) for key in keys if key.startswith("ref:"))
    values = sorted(key for key in keys if not key.startswith("ref:"))
    if not values:
        return None, refs
    kind, _, value = values[0].partition(":")
    if entity_type is EntityType.CUSTOMER and kind == "email":
        return Customer(email=value), refs
    if entity_type is EntityType.PRODUCT and kind == "sku":
        return Product(sku=value), refs
    if entity_type is EntityType.ORDER and kind == "order":
        return Order(order_number=value), refs
    return None, refs


async def candidates_for(
    indexed: Mapping[EntityId, frozenset[str]],
    entity_type: EntityType,
    known: dict[str, AnySnapshot],
    stores: _Stores,
    unsaved: Mapping[EntityId, Sequence[Link]],
) -> list[Candidate]:
    """One candidate per entity (``indexed``: entity -> the subject's keys it is indexed under) with
    the snapshots of its live links and the evidence of :func:`indexed_evidence`.

    ``known`` holds the snapshots the caller already has (newer than stored ones within a batch);
    missing ones are loaded and added to it. ``unsaved`` are links made in this batch, not yet stored.
    """
    entity_ids = sorted(indexed)
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
    candidates: list[Candidate] = []
    for entity_id in entity_ids:
        canonical, cross_refs = indexed_evidence(entity_type, indexed[entity_id])
        snapshots = tuple(
            known[link.ref.key]
            for link in links.get(entity_id, [])
            if link.merged_into is None and link.ref.key in known
        )
        candidates.append(
            Candidate(entity_id=entity_id, entity_type=entity_type, snapshots=snapshots, canonical=canonical,
                      cross_refs=cross_refs)
        )  # fmt: skip
    return candidates
