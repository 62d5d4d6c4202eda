"""In-memory fakes of the checker's repositories (``shared.core.repositories``); same contract, no I/O.

``tests/contract/test_checker_repositories.py`` runs one suite against these and the MongoDB adapters.
"""

from collections.abc import Collection, Sequence
from datetime import datetime

from shared.core.matching.normalize import normalize_email
from shared.core.model import EntityId, EntityType, ExternalRef, Order
from shared.core.repositories import AnySnapshot, Link, LinkProposal, StoredDiscrepancy, snapshot_rank
from shared.core.testing.fakes import FakeProcessedLedger


class FakeSnapshotRepository:
    def __init__(self) -> None:
        self.snapshots: dict[str, AnySnapshot] = {}
        self.writes = 0

    async def load_many(self, ref_keys: Collection[str]) -> dict[str, AnySnapshot]:
        return {key: self.snapshots[key] for key in ref_keys if key in self.snapshots}

    async def save_newer(self, snapshots: Sequence[AnySnapshot]) -> None:
        for snapshot in snapshots:
            stored = self.snapshots.get(snapshot.ref.key)
            if stored is None or snapshot_rank(stored) < snapshot_rank(snapshot):
                self.snapshots[snapshot.ref.key] = snapshot
                self.writes += 1

    async def count_orders_for(self, emails: Collection[str]) -> int:
        wanted = set(emails)
        return sum(
            1
            for snapshot in self.snapshots.values()
            if isinstance(snapshot.values, Order)
            and not snapshot.deleted
            and normalize_email(snapshot.values.customer_email) in wanted
        )


class FakeEntityRepository:
    def __init__(self) -> None:
        self.links: dict[str, Link] = {}
        self.keys: dict[EntityId, tuple[EntityType, set[str]]] = {}
        self.proposals: dict[str, LinkProposal] = {}
        self.rejections: dict[str, set[EntityId]] = {}
        self.merges: dict[EntityId, EntityId] = {}

    async def linked_refs(self, entity_ids: Sequence[EntityId]) -> dict[EntityId, tuple[ExternalRef, ...]]:
        found: dict[EntityId, tuple[ExternalRef, ...]] = {}
        for entity_id, links in (await self.links_of_entities(entity_ids)).items():
            refs = tuple(link.ref for link in links if link.merged_into is None)
            if refs:
                found[entity_id] = refs
        return found

    async def links_of(self, ref_keys: Collection[str]) -> dict[str, Link]:
        return {key: self.links[key] for key in ref_keys if key in self.links}

    async def links_of_entities(self, entity_ids: Collection[EntityId]) -> dict[EntityId, list[Link]]:
        found: dict[EntityId, list[Link]] = {}
        for link in sorted(self.links.values(), key=lambda link: link.ref.key):
            if link.entity_id in entity_ids:
                found.setdefault(link.entity_id, []).append(link)
        return found

    async def entities_with_keys(
        self, entity_type: EntityType, keys: Collection[str]
    ) -> dict[EntityId, frozenset[str]]:
        wanted = set(keys)
        found: dict[EntityId, frozenset[str]] = {}
        for entity_id, (kind, indexed) in sorted(self.keys.items()):
            if kind is entity_type and indexed & wanted:
                survivor = (await self.survivors([entity_id])).get(entity_id, entity_id)
                found[survivor] = found.get(survivor, frozenset()) | (indexed & wanted)
        return dict(sorted(found.items()))

    async def merge(self, merged: EntityId, into: EntityId, *, at: datetime) -> EntityId:
        into = self.merges.setdefault(merged, (await self.survivors([into])).get(into, into))
        for key, link in list(self.links.items()):
            if link.entity_id == merged:
                self.links[key] = link.model_copy(update={"entity_id": into})
        return into

    async def survivors(self, entity_ids: Collection[EntityId]) -> dict[EntityId, EntityId]:
        found: dict[EntityId, EntityId] = {}
        for entity_id in entity_ids:
            survivor = entity_id
            while survivor in self.merges:
                survivor = self.merges[survivor]
            if survivor != entity_id:
                found[entity_id] = survivor
        return found

    async def attach(self, link: Link, keys: Collection[str]) -> Link:
        return (await self.attach_all([(link, keys)]))[0]

    async def attach_all(self, items: Sequence[tuple[Link, Collection[str]]]) -> list[Link]:
        stored: list[Link] = []
        for link, keys in items:
            _, indexed = self.keys.setdefault(link.entity_id, (link.entity_type, set()))
            indexed.update(keys)
            self.proposals.pop(link.ref.key, None)
            stored.append(self.links.setdefault(link.ref.key, link))
        return stored

    async def add_keys(self, items: Sequence[tuple[EntityType, EntityId, Collection[str]]]) -> None:
        for entity_type, entity_id, keys in items:
            self.keys.setdefault(entity_id, (entity_type, set()))[1].update(keys)

    async def propose(self, proposal: LinkProposal) -> None:
        self.proposals.setdefault(proposal.ref.key, proposal)

    async def proposals_for(self, entity_ids: Collection[EntityId]) -> dict[EntityId, list[LinkProposal]]:
        found: dict[EntityId, list[LinkProposal]] = {}
        for proposal in sorted(self.proposals.values(), key=lambda proposal: proposal.ref.key):
            if proposal.entity_id in entity_ids:
                found.setdefault(proposal.entity_id, []).append(proposal)
        return found

    async def record_merge(self, merged_away: ExternalRef, survivor: ExternalRef) -> None:
        link = self.links.get(merged_away.key)
        if link is not None:
            self.links[merged_away.key] = link.model_copy(update={"merged_into": survivor})

    async def detach(self, ref: ExternalRef, entity_id: EntityId) -> bool:
        link = self.links.get(ref.key)
        if link is None or link.entity_id != entity_id:
            return False
        del self.links[ref.key]
        return True

    async def reject(self, ref: ExternalRef, entity_id: EntityId) -> None:
        self.rejections.setdefault(ref.key, set()).add(entity_id)

    async def forget_rejection(self, ref: ExternalRef, entity_id: EntityId) -> None:
        self.rejections.get(ref.key, set()).discard(entity_id)

    async def rejections_of(self, ref_keys: Collection[str]) -> dict[str, frozenset[EntityId]]:
        return {key: frozenset(self.rejections[key]) for key in ref_keys if self.rejections.get(key)}


class FakeDiscrepancyRepository:
    def __init__(self) -> None:
        self.items: dict[str, StoredDiscrepancy] = {}

    async def latest_for(self, entity_ids: Collection[EntityId]) -> dict[EntityId, list[StoredDiscrepancy]]:
        latest: dict[tuple[EntityId, str], StoredDiscrepancy] = {}
        for item in self.items.values():
            discrepancy = item.discrepancy
            if discrepancy.entity_id not in entity_ids:
                continue
            key = (discrepancy.entity_id, discrepancy.dimension)
            known = latest.get(key)
            if known is None or known.discrepancy.episode < discrepancy.episode:
                latest[key] = item
        found: dict[EntityId, list[StoredDiscrepancy]] = {}
        for item in sorted(latest.values(), key=lambda i: (i.discrepancy.dimension, i.discrepancy.episode)):
            found.setdefault(item.discrepancy.entity_id, []).append(item)
        return found

    async def save_all(self, items: Sequence[StoredDiscrepancy]) -> None:
        for item in items:
            stored = self.items.get(item.discrepancy.id)
            if stored is None or stored.discrepancy.revision <= item.discrepancy.revision:
                self.items[item.discrepancy.id] = item

    async def clear_pending(self, discrepancy_ids: Collection[str]) -> None:
        for discrepancy_id in discrepancy_ids:
            item = self.items.get(discrepancy_id)
            if item is not None:
                self.items[discrepancy_id] = item.model_copy(update={"pending": ()})


__all__ = [
    "FakeDiscrepancyRepository",
    "FakeEntityRepository",
    "FakeProcessedLedger",
    "FakeSnapshotRepository",
]
