"""Entities that linking split, made one again.

Records of one entity are linked one at a time, each against what is stored so far. In some orders
(a NetSuite customer with a stale email first, then its HubSpot contact, then the Shopify customer
both name) or when replicas link them at once, they start two entities, and a later record shares
keys with both. The core decides whether that record joins them (``MergeEntities``: they
complement each other); here the link stage carries it out: an operator's separation is honoured,
the merged entity's links move to the survivor, and the merged entity is evaluated again, now
without records, so its discrepancies resolve.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.checker.change_ids import entity_changed_id
from shared.core.events import EntityChanged, RecordObserved, caused_by
from shared.core.matching import MergeEntities
from shared.core.model import EntityId
from shared.core.repositories import EntityRepository, Link


@dataclass(frozen=True)
class PendingMerge:
    """A merge a record of the batch decided: ``merged`` into ``into``."""

    cause: RecordObserved
    merged: EntityId
    into: EntityId


def pending_merges(cause: RecordObserved, decision: MergeEntities) -> list[PendingMerge]:
    return [PendingMerge(cause, merged, decision.entity_id) for merged in decision.merged]


async def merge_refused(decision: MergeEntities, entities: EntityRepository) -> bool:
    """Whether an operator once detached a record of one of the entities from another of them."""
    involved = {decision.entity_id, *decision.merged}
    links = await entities.links_of_entities(involved)
    rejections = await entities.rejections_of([link.ref.key for found in links.values() for link in found])
    return any(rejected & involved for rejected in rejections.values())


async def carry_out(
    merges: Sequence[PendingMerge], entities: EntityRepository, *, now: datetime, producer: str
) -> tuple[dict[EntityId, EntityId], list[EntityChanged]]:
    """Merge; returns where each merged entity went and the change that re-evaluates it."""
    moved: dict[EntityId, EntityId] = {}
    changes: list[EntityChanged] = []
    for merge in merges:
        moved[merge.merged] = await entities.merge(merge.merged, merge.into, at=now)
        cause = merge.cause
        changes.append(
            EntityChanged(
                **caused_by(cause, producer=producer, produced_at=now,
                            message_id=entity_changed_id(cause.message_id, merge.merged)),
                entity_id=merge.merged, entity_type=cause.entity_type, changed_refs=(cause.ref,),
                cause=cause.message_id, surface=cause.surface,
            )
        )  # fmt: skip
    return moved, changes


def relinked(
    links: Sequence[tuple[Link, frozenset[str]]], moved: dict[EntityId, EntityId]
) -> list[tuple[Link, frozenset[str]]]:
    """Links not stored yet, those to a merged entity pointed at its survivor."""
    return [
        (
            link.model_copy(update={"entity_id": moved[link.entity_id]}) if link.entity_id in moved else link,
            keys,
        )
        for link, keys in links
    ]
