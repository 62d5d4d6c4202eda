"""Entities that linking split, made one again.

Records of one entity are linked one at a time, each against what is stored so far. In some orders
(a NetSuite customer with a stale email first, then its HubSpot contact, then the Shopify customer
both name) they start two entities, and a later record shares keys with both; when replicas link
two records of one entity at the same moment, neither sees the other. The core decides whether
entities a record shares keys with are one (``MergeEntities``: they complement each other); the
link stage asks when it matches an unlinked record, and again for every record it linked once the
batch's links and keys are stored (:func:`rejoined`: of two racing replicas, the later to store
sees the other's entity). Here the merge is carried out: an operator's separation is honoured, the
merged entity's links move to the survivor, and both are evaluated again (the merged one, now
without records, resolves its discrepancies).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.checker.bounded import gather_bounded
from services.checker.candidates import candidates_for
from services.checker.change_ids import entity_changed_id
from services.checker.mapped import Mapped
from shared.core.events import EntityChanged, RecordObserved, caused_by
from shared.core.matching import Candidate, MatchConfig, MergeEntities, decide, match
from shared.core.model import EntityId, ExternalRef
from shared.core.repositories import AnySnapshot, EntityRepository, Link, SnapshotRepository


class _Stores(Protocol):
    @property
    def entities(self) -> EntityRepository: ...
    @property
    def snapshots(self) -> SnapshotRepository: ...


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
    """Merge; returns where each merged entity went, and the changes that evaluate the merged
    entity and its survivor again over every dimension."""
    moved: dict[EntityId, EntityId] = {}
    changes: list[EntityChanged] = []
    for merge in merges:
        moved[merge.merged] = into = await entities.merge(merge.merged, merge.into, at=now)
        changes += [_changed(merge.cause, entity_id, now, producer) for entity_id in (merge.merged, into)]
    return moved, changes


async def rejoined(
    linked: Sequence[tuple[Link, Mapped]],
    stores: _Stores,
    known: dict[str, AnySnapshot],
    matching: MatchConfig,
) -> list[PendingMerge]:
    """The merges that records this batch linked call for, now that every link and key is stored."""
    found = await gather_bounded(
        [stores.entities.entities_with_keys(link.entity_type, mapped.keys) for link, mapped in linked]
    )
    merges: list[PendingMerge] = []
    for (link, mapped), indexed in zip(linked, found, strict=True):
        if set(indexed) <= {link.entity_id}:
            continue
        subject = mapped.snapshot
        candidates = await candidates_for(indexed, subject.entity_type, known, stores, {})
        others = [_without(candidate, subject.ref) for candidate in candidates]
        result = match(subject, others, config=matching, subject_cross_refs=mapped.cross_refs)
        decision = decide(result, matching)
        own = (await stores.entities.survivors([link.entity_id])).get(link.entity_id, link.entity_id)
        if (
            isinstance(decision, MergeEntities)
            and own in {decision.entity_id, *decision.merged}
            and not await merge_refused(decision, stores.entities)
        ):
            merges += pending_merges(mapped.message, decision)
    return merges


def _without(candidate: Candidate, ref: ExternalRef) -> Candidate:
    """The candidate without the subject record itself (it is linked to one of them by now)."""
    return candidate.model_copy(update={"snapshots": tuple(s for s in candidate.snapshots if s.ref != ref)})


def _changed(cause: RecordObserved, entity_id: EntityId, now: datetime, producer: str) -> EntityChanged:
    return EntityChanged(
        **caused_by(cause, producer=producer, produced_at=now,
                    message_id=entity_changed_id(cause.message_id, entity_id)),
        entity_id=entity_id, entity_type=cause.entity_type, changed_refs=(cause.ref,),
        cause=cause.message_id, surface=cause.surface,
    )  # fmt: skip


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
