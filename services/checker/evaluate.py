"""The evaluate stage: ``EntityChanged`` in, checks run, discrepancy lifecycle kept, events out.

One call handles one batch (keyed by entity, so one entity's changes arrive in order). The changes
of one entity in a batch are evaluated together, once, over the union of the dimensions they touch
(a change with no field list touches every dimension). Per batch:

1. messages already processed are skipped;
2. each entity's records, proposals, discrepancies and check states are loaded in bulk;
3. the registered checks run and ``apply_findings`` advances the lifecycle;
4. changed episodes are stored with their new events in their outbox (``pending``), events left
   pending by an interrupted earlier run first;
5. the events are published, the outboxes cleared, the check state of every evaluated
   (entity, dimension) saved, and the messages recorded as processed. The caller then commits.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.checker.bounded import gather_bounded
from services.checker.echo_conflicts import conflict_dimensions, echo_conflicts, with_echo_conflicts
from services.checker.lifecycle_events import discrepancy_event, with_outbox
from shared.core.checks import CheckRegistry, EntitySnapshots
from shared.core.discrepancy import apply_findings
from shared.core.echo import EchoConflict
from shared.core.events import EntityChanged, ResolutionReason
from shared.core.findings import Finding
from shared.core.matching.normalize import normalize_email
from shared.core.model import Customer, EntityId, EntityType, ExternalRef, Surface, System
from shared.core.policy import Policy
from shared.core.ports import CheckStateStore, MessagePublisher, SyncWriteLog
from shared.core.repositories import (
    AnySnapshot,
    DiscrepancyEvent,
    DiscrepancyRepository,
    EntityRepository,
    Link,
    LinkProposal,
    ProcessedLedger,
    SnapshotRepository,
    StoredDiscrepancy,
)
from shared.core.verification import VerificationOutcome, VerificationState


@dataclass(frozen=True)
class EvaluateConfig:
    """The policy and checks the stage applies, the echo window, and its names."""

    policy: Policy
    registry: CheckRegistry
    consumer: str = "checker.evaluate"
    producer: str = "checker"
    echo_window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class EvaluatePorts:
    """What the evaluate stage reads and writes."""

    snapshots: SnapshotRepository
    entities: EntityRepository
    discrepancies: DiscrepancyRepository
    check_states: CheckStateStore
    ledger: ProcessedLedger
    publisher: MessagePublisher
    clock: Callable[[], datetime]
    sync_writes: SyncWriteLog | None = None
    """Concord's writes, for echo conflicts; none are looked for without it."""


@dataclass
class EvaluateReport:
    """What one batch did: outcomes by (entity type, dimension, outcome), transitions by (transition, kind)."""

    processed: int = 0
    duplicates: int = 0
    entities: int = 0
    outcomes: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    published: list[DiscrepancyEvent] = field(default_factory=list)


@dataclass
class _Work:
    """One entity's changes in this batch."""

    entity_type: EntityType
    cause: EntityChanged
    dimensions: set[str] | None
    changed: bool = False
    missed_surface: Surface | None = None
    passive_fields: set[str] = field(default_factory=set)
    refs: list[ExternalRef] = field(default_factory=list)


@dataclass(frozen=True)
class _Run:
    """What every entity's evaluation in one batch shares."""

    loaded: "_Loaded"
    config: EvaluateConfig
    now: datetime
    report: EvaluateReport


@dataclass
class _Loaded:
    links: dict[EntityId, list[Link]]
    proposals: dict[EntityId, list[LinkProposal]]
    stored: dict[EntityId, list[StoredDiscrepancy]]
    snapshots: dict[str, AnySnapshot]
    states: dict[tuple[EntityId, str], VerificationState]
    order_counts: dict[EntityId, int]
    conflicts: dict[EntityId, list[EchoConflict]]


async def run_evaluate_stage(
    messages: Sequence[EntityChanged], ports: EvaluatePorts, config: EvaluateConfig
) -> EvaluateReport:
    """Process one batch (see the module docstring for the order of effects)."""
    now = ports.clock()
    report = EvaluateReport()
    done = await ports.ledger.already_processed(config.consumer, [m.message_id for m in messages])
    fresh = [m for m in messages if m.message_id not in done]
    report.duplicates = len(messages) - len(fresh)
    if not fresh:
        return report
    work = group_changes(fresh, config.registry)
    run = _Run(await _load(work, ports, config, now), config, now, report)
    to_store: list[StoredDiscrepancy] = []
    states: list[tuple[EntityType, VerificationState]] = []
    for entity_id, item in work.items():
        stored, events, verified = _evaluate(entity_id, item, run)
        to_store += stored
        report.published += events
        states += [(item.entity_type, state) for state in verified]
    await ports.discrepancies.save_all(to_store)
    await ports.publisher.publish_all(list(report.published))
    await ports.discrepancies.clear_pending([item.discrepancy.id for item in to_store if item.pending])
    await ports.check_states.save_all(states)
    await ports.ledger.mark_processed(config.consumer, [m.message_id for m in fresh], at=now)
    report.processed, report.entities = len(fresh), len(work)
    return report


def group_changes(messages: Sequence[EntityChanged], registry: CheckRegistry) -> dict[EntityId, _Work]:
    """Per entity (in order of first appearance): the dimensions its changes touch, its last change,
    and the event surface that missed a change, if a pulse found one."""
    work: dict[EntityId, _Work] = {}
    for message in messages:
        item = work.setdefault(message.entity_id, _Work(message.entity_type, message, set()))
        item.cause = message
        item.refs.extend(message.changed_refs)
        touched = _dimensions(message, registry)
        item.dimensions = None if touched is None or item.dimensions is None else item.dimensions | touched
        item.changed = item.changed or message.surface not in {Surface.PULSE, Surface.SYNC_READBACK}
        if message.passive:
            item.missed_surface = message.missed_surface or item.missed_surface
            item.passive_fields.update(message.changed_fields)
    return work


def _dimensions(message: EntityChanged, registry: CheckRegistry) -> set[str] | None:
    if not message.changed_fields:
        return None
    changed = set(message.changed_fields)
    return {
        check.dimension for check in registry.for_entity(message.entity_type) if changed & set(check.fields)
    }


async def _load(
    work: dict[EntityId, _Work], ports: EvaluatePorts, config: EvaluateConfig, now: datetime
) -> _Loaded:
    ids, registry = list(work), config.registry
    links = await ports.entities.links_of_entities(ids)
    proposals = await ports.entities.proposals_for(ids)
    keys = {link.ref.key for found in links.values() for link in found if link.merged_into is None}
    keys |= {proposal.ref.key for found in proposals.values() for proposal in found}
    snapshots = await ports.snapshots.load_many(keys)
    named = {entity_id: item.refs for entity_id, item in work.items()}
    conflicts = await echo_conflicts(
        named, links, snapshots, ports.sync_writes, now=now, echo_window=config.echo_window
    )
    for entity_id, found in conflicts.items():  # a conflicting field is evaluated even if unchanged
        item = work[entity_id]
        widened = conflict_dimensions(item.entity_type, found, registry)
        item.dimensions = None if item.dimensions is None else item.dimensions | widened
    pairs = [(entity_id, d) for entity_id, item in work.items() for d in _evaluated(item, registry)]
    loaded_states = await gather_bounded([ports.check_states.load(e, d) for e, d in pairs])
    customers = [e for e, item in work.items() if item.entity_type is EntityType.CUSTOMER]
    counts = await gather_bounded(
        [ports.snapshots.count_orders_for(_emails(links.get(e, []), snapshots)) for e in customers]
    )
    return _Loaded(
        links=links,
        proposals=proposals,
        stored=await ports.discrepancies.latest_for(ids),
        snapshots=snapshots,
        states={pair: state for pair, state in zip(pairs, loaded_states, strict=True) if state is not None},
        order_counts=dict(zip(customers, counts, strict=True)),
        conflicts=conflicts,
    )


def _evaluated(item: _Work, registry: CheckRegistry) -> set[str]:
    return set(registry.dimensions(item.entity_type)) if item.dimensions is None else item.dimensions


def _emails(links: Sequence[Link], snapshots: dict[str, AnySnapshot]) -> set[str]:
    views = [snapshots[link.ref.key].values for link in links if link.ref.key in snapshots]
    return {email for view in views if isinstance(view, Customer) if (email := normalize_email(view.email))}


def entity_view(entity_id: EntityId, item: _Work, loaded: _Loaded) -> EntitySnapshots:
    """The entity as the checks see it: linked records, then proposed ones for platforms not linked."""
    snapshots: dict[System, AnySnapshot] = {}
    for link in loaded.links.get(entity_id, []):
        if link.merged_into is None and link.ref.key in loaded.snapshots:
            snapshots[link.ref.system] = loaded.snapshots[link.ref.key]
    linked = frozenset(snapshots)
    confidence: dict[System, float] = {}
    for proposal in loaded.proposals.get(entity_id, []):
        system = proposal.ref.system
        if system not in snapshots and proposal.ref.key in loaded.snapshots:
            snapshots[system] = loaded.snapshots[proposal.ref.key]
            confidence[system] = proposal.confidence
    return EntitySnapshots(
        entity_id=entity_id, entity_type=item.entity_type, snapshots=snapshots, linked=linked,
        link_confidence=confidence, order_count=loaded.order_counts.get(entity_id, 0),
        last_agreed_at=_last_agreed(entity_id, loaded),
    )  # fmt: skip


def _last_agreed(entity_id: EntityId, loaded: _Loaded) -> dict[str, datetime]:
    """Per dimension, when the platforms last agreed: a consistent verification, else the end of the
    last resolved episode."""
    agreed: dict[str, datetime] = {}
    for item in loaded.stored.get(entity_id, []):
        if item.discrepancy.resolved_at is not None:
            agreed[item.discrepancy.dimension] = item.discrepancy.resolved_at
    for (owner, dimension), state in loaded.states.items():
        if owner == entity_id and state.outcome is VerificationOutcome.CONSISTENT and state.last_verified_at:
            agreed[dimension] = max(state.last_verified_at, agreed.get(dimension, state.last_verified_at))
    return agreed


def _evaluate(
    entity_id: EntityId, item: _Work, run: _Run
) -> tuple[list[StoredDiscrepancy], list[DiscrepancyEvent], list[VerificationState]]:
    config, now = run.config, run.now
    evaluated = _evaluated(item, config.registry)
    entity = entity_view(entity_id, item, run.loaded)
    stored = run.loaded.stored.get(entity_id, [])
    # An entity whose records were all unlinked or merged into another has nothing left to check.
    emptied = not entity.snapshots
    findings = [] if emptied else with_echo_conflicts(
        config.registry.evaluate(entity, config.policy, now, evaluated),
        run.loaded.conflicts.get(entity_id, []), stored, now,
    )  # fmt: skip
    findings = mark_missed_surface(findings, item)
    outcome = apply_findings([s.discrepancy for s in stored], findings, evaluated, now)
    resolution: ResolutionReason = (
        "unlinked" if emptied
        else "record_deleted" if any(s.deleted for s in entity.snapshots.values())
        else "converged"
    )  # fmt: skip
    events: dict[str, list[DiscrepancyEvent]] = {}
    for transition in outcome.transitions:
        event = discrepancy_event(
            transition, cause=item.cause, producer=config.producer, now=now, resolution=resolution
        )
        events.setdefault(transition.discrepancy.id, []).append(event)
        run.report.transitions[(transition.transition.value, transition.discrepancy.finding.kind.value)] += 1
    to_store = with_outbox(stored, outcome.discrepancies, events)
    published = [event for s in to_store for event in s.pending]
    return to_store, published, _verified(entity_id, item, evaluated, findings, run)


def mark_missed_surface(findings: Sequence[Finding], item: _Work) -> list[Finding]:
    """Findings on fields a pulse found changed name the surface that missed the change, when the
    check itself could not tell."""
    if item.missed_surface is None:
        return list(findings)
    return [
        finding.model_copy(update={"passive_drift_surface": item.missed_surface})
        if finding.passive_drift_surface is None and set(finding.fields) & item.passive_fields
        else finding
        for finding in findings
    ]


def _verified(
    entity_id: EntityId, item: _Work, evaluated: set[str], findings: Sequence[Finding], run: _Run
) -> list[VerificationState]:
    discrepant = {finding.dimension for finding in findings}
    states: list[VerificationState] = []
    for dimension in sorted(evaluated):
        state = run.loaded.states.get((entity_id, dimension)) or VerificationState(
            entity_id=entity_id, dimension=dimension
        )
        if item.changed:
            state = state.changed(item.cause.produced_at)
        outcome = (
            VerificationOutcome.DISCREPANT if dimension in discrepant else VerificationOutcome.CONSISTENT
        )
        states.append(state.verified(run.now, outcome))
        run.report.outcomes[(item.entity_type.value, dimension, outcome.value)] += 1
    return states
