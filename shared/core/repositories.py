"""Repositories of the checker's canonical picture: snapshots, entities and links, discrepancies.

Ports in the sense of :mod:`shared.core.ports`: the checker's use cases reach MongoDB only through
these Protocols. ``shared/adapters/mongo/{snapshots,entities,discrepancies,ledger}.py`` implement
them, ``shared.core.testing.checker_fakes`` holds in-memory fakes with the same contract.

Idempotency without transactions (FerretDB has none): every write is keyed by a deterministic id
and guarded, so applying the same batch twice stores the same thing once.

The pulse scheduler reads links only, through :class:`LinkedRecordsReader` (the entity repository
implements it).
"""

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Annotated, Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.core.discrepancy import Discrepancy
from shared.core.events import DiscrepancyChanged, DiscrepancyOpened, DiscrepancyResolved
from shared.core.model import EntityId, EntityType, ExternalRef
from shared.core.ports import ProcessedLedger
from shared.core.snapshot import CustomerSnapshot, OrderSnapshot, ProductSnapshot

AnySnapshot = CustomerSnapshot | ProductSnapshot | OrderSnapshot

DiscrepancyEvent = Annotated[
    DiscrepancyOpened | DiscrepancyChanged | DiscrepancyResolved, Field(discriminator="type")
]
"""A message of the discrepancy topic."""

LinkMethod = Literal["created", "matched", "operator"]
"""How a link came to be: the record started a new entity, the matcher linked it, an operator did."""

_RANK_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def snapshot_rank(snapshot: AnySnapshot) -> str:
    """A string whose order is the order of a record's snapshots: source version, then observation.

    Source versions are ISO-8601 UTC strings that sort like the platform's modification times (see
    ``shared.core.platforms.base.version_from``); a snapshot without one ranks by its update time.
    The observation time breaks ties, so a later read of the same version ranks higher and a
    redelivered observation ranks the same (and is not stored again). Ingest dates an observation by
    the moment its content was true, which matters because versions have whole seconds: an API read
    (poll, refresh, a thin notification's fetch) by when the read returned, a payload webhook
    (Shopify) by when it triggered, never by when it arrived.
    """
    return f"{source_version_key(snapshot)}|{_instant(snapshot.observed_at)}"


def source_version_key(snapshot: AnySnapshot) -> str:
    """The record version a snapshot shows, as :func:`snapshot_rank` orders it ("" when unknown)."""
    return snapshot.source_version or _instant(snapshot.source_updated_at)


def _instant(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime(_RANK_TIME)


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Link(_Value):
    """A platform record confirmed as one representation of a canonical entity.

    ``merged_into`` is set once the platform merged the record away into another record of its own;
    observations of it then count for the survivor (see ``shared.core.matching.MergeLineage``).
    """

    ref: ExternalRef
    entity_id: EntityId
    entity_type: EntityType
    confidence: float = Field(ge=0.0, le=1.0)
    method: LinkMethod
    linked_at: AwareDatetime
    merged_into: ExternalRef | None = None


class LinkProposal(_Value):
    """A match the checker would not link on its own; an operator decides (one open proposal per record)."""

    ref: ExternalRef
    entity_id: EntityId
    entity_type: EntityType
    confidence: float = Field(ge=0.0, le=1.0)
    reasons: tuple[str, ...]
    alternatives: tuple[EntityId, ...] = ()
    explanation: str
    proposed_at: AwareDatetime


class StoredDiscrepancy(_Value):
    """A discrepancy episode as stored, with the events of its transitions not yet acknowledged by Kafka.

    ``pending`` is an outbox inside the document: the transition and its event are written in one
    single-document update, so a crash between storing and publishing loses no event (the next run
    publishes what is pending before anything newer).
    """

    discrepancy: Discrepancy
    pending: tuple[DiscrepancyEvent, ...] = ()


class LinkedRecordsReader(Protocol):
    """Read-only view of the stored links: which platform records belong to which canonical entity."""

    async def linked_refs(self, entity_ids: Sequence[EntityId]) -> dict[EntityId, tuple[ExternalRef, ...]]:
        """The confirmed links of each given entity, in one round trip.

        Entities without links (or unknown ones) are absent from the result; proposals are not links.
        """
        ...


class SnapshotRepository(Protocol):
    """The latest snapshot per platform record (``snapshots``), written by the checker's link stage."""

    async def load_many(self, ref_keys: Collection[str]) -> dict[str, AnySnapshot]:
        """Stored snapshots by ``ExternalRef.key``; unknown records are absent."""
        ...

    async def save_newer(self, snapshots: Sequence[AnySnapshot]) -> None:
        """Store each snapshot unless the stored one ranks at least as high (:func:`snapshot_rank`).

        A stale or repeated snapshot changes nothing; two racing writers leave the higher rank.
        """
        ...

    async def count_orders_for(self, emails: Collection[str]) -> int:
        """How many live order records name one of ``emails`` (normalised) as their customer."""
        ...


class EntityRepository(LinkedRecordsReader, Protocol):
    """Canonical entities, their links, blocking keys and link proposals (``entities``, ``links``,
    ``link_proposals``, ``link_rejections``). The first link stored for a record wins; re-linking is an
    operator's act (:meth:`detach`, then :meth:`attach`)."""

    async def links_of(self, ref_keys: Collection[str]) -> dict[str, Link]:
        """Links of the given records, by ``ExternalRef.key``."""
        ...

    async def links_of_entities(self, entity_ids: Collection[EntityId]) -> dict[EntityId, list[Link]]:
        """Every link of each entity (merged-away records included)."""
        ...

    async def entities_with_keys(
        self, entity_type: EntityType, keys: Collection[str]
    ) -> dict[EntityId, frozenset[str]]:
        """Entities of ``entity_type`` indexed under any of the blocking ``keys``, with the keys each
        is indexed under (an entity keeps every key its records ever had). A merged entity is
        reported as the one it was merged into, with its keys."""
        ...

    async def merge(self, merged: EntityId, into: EntityId, *, at: datetime) -> EntityId:
        """Fold ``merged`` into ``into``: its links move there, and key lookups that found it find
        ``into``. An entity is merged once: the first merge stands, and the entity it names is returned."""
        ...

    async def survivors(self, entity_ids: Collection[EntityId]) -> dict[EntityId, EntityId]:
        """The entity each merged one of ``entity_ids`` now lives on (after every merge); others are absent."""
        ...

    async def attach(self, link: Link, keys: Collection[str]) -> Link:
        """One :meth:`attach_all` item."""
        ...

    async def attach_all(self, items: Sequence[tuple[Link, Collection[str]]]) -> list[Link]:
        """For each (link, keys): create the entity if needed, index it under ``keys`` and store the
        link unless the record is already linked; drop the record's open proposal. Returns the links
        now stored, in order (another writer's where it was first)."""
        ...

    async def add_keys(self, items: Sequence[tuple[EntityType, EntityId, Collection[str]]]) -> None:
        """Index entities under more blocking keys (a record's values changed)."""
        ...

    async def propose(self, proposal: LinkProposal) -> None:
        """Store the proposal unless the record already has one."""
        ...

    async def proposals_for(self, entity_ids: Collection[EntityId]) -> dict[EntityId, list[LinkProposal]]:
        """Open proposals naming each entity."""
        ...

    async def record_merge(self, merged_away: ExternalRef, survivor: ExternalRef) -> None:
        """Note on the merged-away record's link that it now lives on as ``survivor`` (no-op if unlinked)."""
        ...

    async def detach(self, ref: ExternalRef, entity_id: EntityId) -> bool:
        """Remove the record's link if it is ``entity_id``'s (an operator's unlink or move); returns
        whether a link was removed. The entity keeps its blocking keys."""
        ...

    async def reject(self, ref: ExternalRef, entity_id: EntityId) -> None:
        """Remember that an operator detached the record from ``entity_id``: the link stage must never
        link or propose it for that entity again (until :meth:`forget_rejection`)."""
        ...

    async def forget_rejection(self, ref: ExternalRef, entity_id: EntityId) -> None:
        """Drop the rejection of (record, entity), if any (an operator linked them after all)."""
        ...

    async def rejections_of(self, ref_keys: Collection[str]) -> dict[str, frozenset[EntityId]]:
        """The entities each record was rejected from, by ``ExternalRef.key``; records without any are absent."""
        ...


class DiscrepancyRepository(Protocol):
    """Discrepancy episodes with their history and outbox (``discrepancies``), written by the evaluate stage."""

    async def latest_for(self, entity_ids: Collection[EntityId]) -> dict[EntityId, list[StoredDiscrepancy]]:
        """Each entity's latest episode per dimension (with its pending events, if any).

        Only the latest episode can hold pending events: every run of an entity publishes what is
        pending before it advances any episode."""
        ...

    async def save_all(self, items: Sequence[StoredDiscrepancy]) -> None:
        """Upsert episodes; a stored episode at a higher revision is never overwritten."""
        ...

    async def clear_pending(self, discrepancy_ids: Collection[str]) -> None:
        """Forget the pending events of these episodes: Kafka has acknowledged them."""
        ...


__all__ = [
    "AnySnapshot",
    "DiscrepancyEvent",
    "DiscrepancyRepository",
    "EntityRepository",
    "Link",
    "LinkMethod",
    "LinkProposal",
    "LinkedRecordsReader",
    "ProcessedLedger",
    "SnapshotRepository",
    "StoredDiscrepancy",
    "snapshot_rank",
    "source_version_key",
]
