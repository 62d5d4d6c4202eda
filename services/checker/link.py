"""The link stage: observations in, snapshots and links stored, ``EntityChanged`` out.

One call handles one batch of observations and deletions (keyed by platform record, so each
record's messages arrive in order). Guarantees, per batch:

- a message the stage already processed is skipped (``ProcessedLedger``);
- a snapshot never replaces a newer one (``snapshot_rank``), and an older or repeated observation
  triggers nothing, except the redelivery of one an interrupted earlier run stored but did not
  publish: its change is published again, over every dimension (which also re-checks whatever the
  lost changes of that record's earlier observations in the interrupted batch would have); the same
  holds for a deletion;
- an unlinked record is matched against the entities sharing one of its blocking keys: linked
  above the auto-link threshold, proposed to an operator between the thresholds, or made a new
  entity whose id derives from its natural key (so replicas racing on one customer agree on it);
  an entity an operator detached the record from is never a candidate for it (``decisions``);
- a record whose keys join entities that complement each other (records linked in another order,
  or by racing replicas, would have made them one) merges them into one before it links there,
  unless an operator once detached a record of one from another; the merged entity is evaluated
  again (its records are gone, so its discrepancies resolve);
- an echo of Concord's own write is stored and marks the write verified, and publishes nothing
  unless it is a sync read-back (whose purpose is to re-check);
- a webhook or poll observation showing the stored version with other content asks ingest to read
  the record again (``version_ties``): only a later read can tell which state is current;
- a new order naming a known customer (or an order that changed customer) also publishes a change
  of that customer, whose presence depends on its orders (``order_customers``);
- effects are stored before ``EntityChanged`` is published, and the batch is recorded as processed
  only after Kafka acknowledged it; the caller commits offsets after this returns.
"""

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from services.checker.candidates import candidates_for
from services.checker.change_ids import entity_changed_id, new_entity_id_for
from services.checker.entity_merges import (
    PendingMerge,
    carry_out,
    merge_refused,
    pending_merges,
    rejoined,
    relinked,
)
from services.checker.mapped import Mapped, map_observation
from services.checker.order_customers import (
    OrderOfCustomer,
    customer_changes,
    customer_key_to_recheck,
    customers_of,
)
from services.checker.version_ties import answers_version_tie, is_version_tie, reread_request
from shared.core.drift import DELETED_FIELD, changed_fields, detect_passive_drift
from shared.core.echo import EchoVerdict, recognise_echo
from shared.core.errors import InvalidInput
from shared.core.events import (
    AnyMessage,
    EntityChanged,
    RecordDeleted,
    RecordObserved,
    RefreshRequested,
    caused_by,
)
from shared.core.mapping import MappingContext
from shared.core.matching import (
    CreateEntity,
    LinkExisting,
    MatchConfig,
    MergeEntities,
    blocking_keys,
    decide,
    match,
)
from shared.core.matching.keys import value_keys
from shared.core.model import EntityId, EntityType, Surface
from shared.core.ports import ExpectedWrite, MessagePublisher, SyncWriteLog
from shared.core.repositories import (
    AnySnapshot,
    EntityRepository,
    Link,
    LinkMethod,
    LinkProposal,
    ProcessedLedger,
    SnapshotRepository,
    snapshot_rank,
)

Observation = RecordObserved | RecordDeleted
DeadLetterSink = Callable[[Sequence[tuple[AnyMessage, str]]], Awaitable[None]]

# Observations that answer a refresh are evaluated even when nothing changed: they verify.
_ALWAYS_EVALUATED = frozenset({Surface.PULSE, Surface.SYNC_READBACK})


@dataclass(frozen=True)
class LinkConfig:
    """The link stage's settings: mapping context, matching thresholds, echo window, names."""

    mapping: MappingContext
    matching: MatchConfig
    echo_window: timedelta
    consumer: str = "checker.link"
    producer: str = "checker"


@dataclass(frozen=True)
class LinkPorts:
    """What the link stage reads and writes."""

    snapshots: SnapshotRepository
    entities: EntityRepository
    ledger: ProcessedLedger
    sync_writes: SyncWriteLog
    publisher: MessagePublisher
    dead_letters: DeadLetterSink
    clock: Callable[[], datetime]


@dataclass
class LinkReport:
    """What one batch did, for metrics and logs."""

    processed: int = 0
    duplicates: int = 0
    stale: int = 0
    echoes: int = 0
    unchanged: int = 0
    rereads: list[RefreshRequested] = field(default_factory=list)
    """Records asked to be read again (two observations of one version disagreed)."""
    decisions: Counter[str] = field(default_factory=Counter)
    changes: list[EntityChanged] = field(default_factory=list)
    rejected: list[tuple[AnyMessage, str]] = field(default_factory=list)


@dataclass
class _Batch:
    now: datetime
    current: dict[str, AnySnapshot]
    links: dict[str, Link]
    recent: dict[str, list[ExpectedWrite]]
    report: LinkReport
    refused: dict[str, frozenset[EntityId]] = field(default_factory=dict)
    writes: dict[str, AnySnapshot] = field(default_factory=dict)
    unsaved: list[tuple[Link, frozenset[str]]] = field(default_factory=list)
    new_keys: list[tuple[EntityType, EntityId, frozenset[str]]] = field(default_factory=list)
    orders: list[OrderOfCustomer] = field(default_factory=list)
    merges: list[PendingMerge] = field(default_factory=list)
    matched: dict[str, Mapped] = field(default_factory=dict)
    """Records this batch linked by matching (or as new entities), checked again once stored."""

    def link(self, link: Link, keys: frozenset[str]) -> None:
        """Link a record now; stored in bulk before the batch's changes are published."""
        self.links[link.ref.key] = link
        self.unsaved.append((link, keys))

    def index(self, entity_type: EntityType, entity_id: EntityId, keys: frozenset[str]) -> None:
        self.new_keys.append((entity_type, entity_id, keys))

    def unsaved_by_entity(self) -> dict[EntityId, list[Link]]:
        found: dict[EntityId, list[Link]] = {}
        for link, _ in self.unsaved:
            found.setdefault(link.entity_id, []).append(link)
        return found

    def unsaved_with_keys(
        self, entity_type: EntityType, keys: frozenset[str]
    ) -> dict[EntityId, frozenset[str]]:
        indexed = [*((link.entity_type, link.entity_id, k) for link, k in self.unsaved), *self.new_keys]
        found: dict[EntityId, frozenset[str]] = {}
        for kind, entity_id, known in indexed:
            if kind is entity_type and known & keys:
                found[entity_id] = found.get(entity_id, frozenset()) | (known & keys)
        return found


async def run_link_stage(messages: Sequence[Observation], ports: LinkPorts, config: LinkConfig) -> LinkReport:
    """Process one batch (see the module docstring for the guarantees)."""
    now = ports.clock()
    report = LinkReport()
    done = await ports.ledger.already_processed(config.consumer, [m.message_id for m in messages])
    fresh = [m for m in messages if m.message_id not in done]
    report.duplicates = len(messages) - len(fresh)
    if not fresh:
        return report
    keys = {m.ref.key for m in fresh}
    batch = _Batch(
        now=now,
        current=await ports.snapshots.load_many(keys),
        links=await ports.entities.links_of(keys),
        recent=await _recent_writes(fresh, ports.sync_writes, since=now - config.echo_window),
        report=report,
        refused=await ports.entities.rejections_of(keys),
    )
    for message in fresh:
        if isinstance(message, RecordObserved):
            await _observe(message, batch, ports, config)
        else:
            await _delete(message, batch, ports, config)
    moved, merged_changes = await carry_out(batch.merges, ports.entities, now=now, producer=config.producer)
    batch.unsaved = relinked(batch.unsaved, moved)
    report.changes += merged_changes
    # Snapshots first: a record's link and keys are only found once its snapshot is there to
    # match against (a run that dies in between is replayed as interrupted).
    await ports.snapshots.save_newer(list(batch.writes.values()))
    # A record another writer linked first keeps that link; this batch's change then names the
    # entity it chose, which costs one needless evaluation and nothing else.
    stored = await ports.entities.attach_all(batch.unsaved)
    await ports.entities.add_keys(batch.new_keys)
    linked = [(link, batch.matched[link.ref.key]) for link in stored if link.ref.key in batch.matched]
    merges = await rejoined(linked, ports, batch.current, config.matching)
    report.decisions["rejoined"] += len(merges)
    report.changes += (await carry_out(merges, ports.entities, now=now, producer=config.producer))[1]
    report.changes += customer_changes(
        await customers_of(batch.orders, ports.entities), batch.now, config.producer
    )
    report.changes = _first_of_each(report.changes)  # a merge re-evaluates entities named already
    report.rereads = _first_of_each(report.rereads)  # one request per record version
    await ports.publisher.publish_all([*report.changes, *report.rereads])
    await ports.dead_letters(report.rejected)
    await ports.ledger.mark_processed(config.consumer, [m.message_id for m in fresh], at=now)
    report.processed = len(fresh)
    return report


_Published = TypeVar("_Published", EntityChanged, RefreshRequested)


def _first_of_each(messages: Sequence[_Published]) -> list[_Published]:
    unique: dict[str, _Published] = {}
    for message in messages:
        unique.setdefault(message.message_id, message)
    return list(unique.values())


def _stored_by_earlier_run(stored: AnySnapshot, message: RecordDeleted, *, stored_earlier: bool) -> bool:
    """Whether the stored deletion is this message's, stored by an earlier run that died before
    publishing its change (the ledger does not know the message): same surface, and stamped no
    earlier than the deletion (a deletion ranks after the record's last observation)."""
    return stored_earlier and stored.surface == message.surface and stored.observed_at >= message.deleted_at


def is_interrupted_replay(snapshot: AnySnapshot, stored: AnySnapshot, *, stored_earlier: bool) -> bool:
    """Whether ``snapshot``, from a message not recorded as processed, is the one already stored:
    same rank (same version, same observation time) and stored by an earlier run, not this batch."""
    return stored_earlier and snapshot_rank(snapshot) == snapshot_rank(stored)


async def _recent_writes(
    messages: Sequence[Observation], sync_writes: SyncWriteLog, *, since: datetime
) -> dict[str, list[ExpectedWrite]]:
    # A write can only echo in an observation made after it, i.e. inside the window: replays and
    # backfills of older observations need no lookup.
    refs = [m.ref for m in messages if isinstance(m, RecordObserved) and m.observed_at >= since]
    return await sync_writes.recent_for_many(refs, since=since)


async def _observe(message: RecordObserved, batch: _Batch, ports: LinkPorts, config: LinkConfig) -> None:
    try:
        mapped = map_observation(message, config.mapping)
    except InvalidInput as error:
        batch.report.rejected.append((message, str(error)))
        return
    snapshot, key = mapped.snapshot, mapped.snapshot.ref.key
    previous = batch.current.get(key)
    if previous is not None and is_interrupted_replay(
        snapshot, previous, stored_earlier=key not in batch.writes
    ):
        # An earlier run stored this very observation but died before publishing its change (the
        # ledger does not know it): publish it again, over every dimension, since the snapshot it
        # replaced is gone.
        previous = None
    elif previous is not None:
        if is_version_tie(previous, snapshot):
            batch.report.rereads.append(
                reread_request(message, snapshot, producer=config.producer, now=batch.now)
            )
        if snapshot_rank(snapshot) <= snapshot_rank(previous):
            batch.report.stale += 1
            return
    batch.current[key] = batch.writes[key] = snapshot
    if await _is_echo(message, snapshot, batch, ports, config):
        return
    fields = changed_fields(previous, snapshot) if previous is not None else ()
    if previous is not None and not fields and snapshot.surface not in _ALWAYS_EVALUATED:
        batch.report.unchanged += 1
        return
    entity_id, new_link = await _resolve(mapped, previous, batch, ports, config)
    if (customer_key := customer_key_to_recheck(previous, snapshot)) is not None:
        batch.orders.append(OrderOfCustomer(message, snapshot, customer_key))
    scope = () if new_link or previous is None or DELETED_FIELD in fields else fields
    drift = None if answers_version_tie(message, snapshot) else detect_passive_drift(previous, snapshot)
    batch.report.changes.append(
        EntityChanged(
            **caused_by(message, producer=config.producer, produced_at=batch.now,
                        message_id=entity_changed_id(message.message_id, entity_id)),
            entity_id=entity_id, entity_type=snapshot.entity_type, changed_refs=(snapshot.ref,),
            changed_fields=scope, cause=message.message_id, surface=snapshot.surface,
            passive=drift is not None, missed_surface=None if drift is None else drift.missed_surface,
        )
    )  # fmt: skip


async def _is_echo(
    message: RecordObserved, snapshot: AnySnapshot, batch: _Batch, ports: LinkPorts, config: LinkConfig
) -> bool:
    """True if the observation is an echo that must not be evaluated (a read-back always is)."""
    echo = recognise_echo(
        snapshot,
        provenance_tag=message.provenance_tag,
        recent_writes=batch.recent.get(snapshot.ref.key, []),
        now=batch.now,
        echo_window=config.echo_window,
    )
    if echo.verdict is not EchoVerdict.ECHO or echo.write is None:
        return False
    batch.report.echoes += 1
    await ports.sync_writes.mark_verified(
        echo.write.write_id, at=batch.now, observation_id=message.message_id
    )
    if snapshot.ref.key not in batch.links:
        # Concord created this record for the entity (a create-missing sync): it is that entity's.
        link = Link(ref=snapshot.ref, entity_id=echo.write.entity_id, entity_type=snapshot.entity_type,
                    confidence=1.0, method="operator", linked_at=batch.now)  # fmt: skip
        batch.link(link, blocking_keys(snapshot))
    return snapshot.surface is not Surface.SYNC_READBACK


async def _resolve(
    mapped: Mapped, previous: AnySnapshot | None, batch: _Batch, ports: LinkPorts, config: LinkConfig
) -> tuple[EntityId, bool]:
    """The entity the record belongs to (or is proposed for), and whether it was linked just now."""
    snapshot = mapped.snapshot
    link = batch.links.get(snapshot.ref.key)
    if link is not None:
        if previous is None or value_keys(previous.values) != value_keys(snapshot.values):
            batch.index(snapshot.entity_type, link.entity_id, mapped.keys)
        return link.entity_id, False
    indexed = dict(await ports.entities.entities_with_keys(snapshot.entity_type, mapped.keys))
    for entity_id, keys in batch.unsaved_with_keys(snapshot.entity_type, mapped.keys).items():
        indexed[entity_id] = indexed.get(entity_id, frozenset()) | keys
    # An operator detached the record from these entities: they are no candidates for it.
    refused = batch.refused.get(snapshot.ref.key, frozenset())
    indexed = {entity_id: keys for entity_id, keys in indexed.items() if entity_id not in refused}
    unsaved = batch.unsaved_by_entity()
    candidates = await candidates_for(indexed, snapshot.entity_type, batch.current, ports, unsaved)
    result = match(snapshot, candidates, config=config.matching, subject_cross_refs=mapped.cross_refs)
    decision = decide(result, config.matching)
    if isinstance(decision, MergeEntities) and await merge_refused(decision, ports.entities):
        decision = decide(result.model_copy(update={"complementary": False}), config.matching)
    batch.report.decisions[decision.decision] += 1
    if isinstance(decision, MergeEntities):
        batch.merges += pending_merges(mapped.message, decision)
    if isinstance(decision, LinkExisting | MergeEntities | CreateEntity):
        entity_id = (
            await _new_entity_id(snapshot, refused, ports)
            if isinstance(decision, CreateEntity)
            else decision.entity_id
        )
        confidence = 1.0 if isinstance(decision, CreateEntity) else decision.confidence
        method: LinkMethod = "created" if isinstance(decision, CreateEntity) else "matched"
        link = Link(ref=snapshot.ref, entity_id=entity_id, entity_type=snapshot.entity_type,
                    confidence=confidence, method=method, linked_at=batch.now)  # fmt: skip
        batch.link(link, mapped.keys)
        batch.matched[snapshot.ref.key] = mapped
        return entity_id, True
    proposal = LinkProposal(
        ref=snapshot.ref, entity_id=decision.entity_id, entity_type=snapshot.entity_type,
        confidence=decision.confidence, reasons=tuple(r.value for r in decision.reasons),
        alternatives=decision.alternatives, explanation="; ".join(s.describe() for s in decision.match.ranked),
        proposed_at=batch.now,
    )  # fmt: skip
    await ports.entities.propose(proposal)
    return decision.entity_id, True


async def _new_entity_id(snapshot: AnySnapshot, refused: frozenset[EntityId], ports: LinkPorts) -> EntityId:
    """The natural id of a new entity, or the entity it was merged into if one had it before."""
    entity_id = new_entity_id_for(snapshot, refused)
    return (await ports.entities.survivors([entity_id])).get(entity_id, entity_id)


async def _delete(message: RecordDeleted, batch: _Batch, ports: LinkPorts, config: LinkConfig) -> None:
    key = message.ref.key
    if message.merged_into is not None:
        await ports.entities.record_merge(message.ref, message.merged_into)
    previous = batch.current.get(key)
    if previous is None or (
        previous.deleted
        and not _stored_by_earlier_run(previous, message, stored_earlier=key not in batch.writes)
    ):
        batch.report.stale += 1
        return
    if not previous.deleted:
        # The deletion ranks after every observation of the record seen so far.
        observed_at = max(message.deleted_at, previous.observed_at + timedelta(microseconds=1))
        deleted = previous.model_copy(
            update={"deleted": True, "observed_at": observed_at, "surface": message.surface}
        )
        batch.current[key] = batch.writes[key] = deleted
    link = batch.links.get(key)
    if link is None:
        return
    batch.report.changes.append(
        EntityChanged(
            **caused_by(message, producer=config.producer, produced_at=batch.now,
                        message_id=entity_changed_id(message.message_id, link.entity_id)),
            entity_id=link.entity_id, entity_type=EntityType(previous.entity_type), changed_refs=(message.ref,),
            cause=message.message_id, surface=message.surface,
        )
    )  # fmt: skip
