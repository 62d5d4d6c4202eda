"""The decisions stage: an operator's link and unlink decisions change the entity model.

The dashboard publishes an accepted proposal as a ``SyncCommand`` with ``LinkRecord(ref)`` and the
detachment of a wrong link as one with ``UnlinkRecord(ref)``, both for the command's entity. The
syncer writes nothing for them; this stage reads the same topic under its own consumer group and
applies them. Guarantees, per batch:

- commands of other action kinds are ignored; a command already processed is skipped
  (``ProcessedLedger``, keyed by command id, so the syncer re-publishing a command is a duplicate);
- ``LinkRecord`` links the record to the entity (method ``operator``, confidence 1), detaching it
  first from the entity it was linked to, drops its open proposal, indexes the entity under the
  record's blocking keys when its snapshot is stored, and forgets an earlier rejection of the pair;
- ``UnlinkRecord`` remembers the rejection (the link stage then never links or proposes the record
  for that entity, until an operator links them) and detaches the record if it is the entity's;
- every affected entity (the command's, and the one a record moved away from) gets an
  ``EntityChanged`` over every dimension, with a natural id per (command, entity), so the evaluate
  stage re-checks it;
- effects are stored before the changes are published, and commands are recorded as processed only
  after Kafka acknowledged the changes; the caller commits offsets after this returns.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from services.checker.change_ids import entity_changed_id
from shared.core.errors import ConcordError
from shared.core.events import EntityChanged, LinkRecord, SyncCommand, UnlinkRecord, caused_by
from shared.core.matching import blocking_keys
from shared.core.model import EntityId, EntityType, ExternalRef, Surface
from shared.core.ports import MessagePublisher
from shared.core.repositories import (
    AnySnapshot,
    EntityRepository,
    Link,
    ProcessedLedger,
    SnapshotRepository,
)

Decision = LinkRecord | UnlinkRecord
"""The sync actions that are operator decisions about links."""


class LinkRaceLost(ConcordError):
    """Another writer linked the record between the operator's detach and link: the batch is retried
    (and detaches that writer's link in turn)."""


@dataclass(frozen=True)
class DecisionConfig:
    """The decisions stage's names: its ledger consumer and the producer of its messages."""

    consumer: str = "checker.decisions"
    producer: str = "checker"


@dataclass(frozen=True)
class DecisionPorts:
    """What the decisions stage reads and writes."""

    snapshots: SnapshotRepository
    entities: EntityRepository
    ledger: ProcessedLedger
    publisher: MessagePublisher
    clock: Callable[[], datetime]


@dataclass
class DecisionReport:
    """What one batch did, for metrics and logs."""

    processed: int = 0
    duplicates: int = 0
    ignored: int = 0
    linked: int = 0
    moved: int = 0
    unlinked: int = 0
    changes: list[EntityChanged] = field(default_factory=list)


@dataclass(frozen=True)
class _Affected:
    entity_id: EntityId
    entity_type: EntityType


def decisions_in(commands: Sequence[SyncCommand]) -> list[tuple[SyncCommand, Decision]]:
    """The link decisions among ``commands``, in order, each once (the first copy of a command id)."""
    found: dict[str, tuple[SyncCommand, Decision]] = {}
    for command in commands:
        if isinstance(command.action, LinkRecord | UnlinkRecord):
            found.setdefault(command.command_id, (command, command.action))
    return list(found.values())


async def run_decision_stage(
    commands: Sequence[SyncCommand], ports: DecisionPorts, config: DecisionConfig
) -> DecisionReport:
    """Apply one batch of commands (see the module docstring for the guarantees)."""
    now = ports.clock()
    report = DecisionReport()
    decisions = decisions_in(commands)
    report.ignored = sum(1 for c in commands if not isinstance(c.action, LinkRecord | UnlinkRecord))
    done = await ports.ledger.already_processed(config.consumer, [c.command_id for c, _ in decisions])
    fresh = [(command, action) for command, action in decisions if command.command_id not in done]
    report.duplicates = len(commands) - report.ignored - len(fresh)
    if not fresh:
        return report
    snapshots = await ports.snapshots.load_many({action.ref.key for _, action in fresh})
    for command, action in fresh:
        snapshot = snapshots.get(action.ref.key)
        if isinstance(action, LinkRecord):
            affected = await _link(command, action, snapshot, ports, now)
            report.linked += 1
            report.moved += len(affected) - 1
        else:
            affected = await _unlink(command, action, ports)
            report.unlinked += 1
        surface = Surface.PULSE if snapshot is None else snapshot.surface
        report.changes += [
            _change(command, action.ref, one, surface=surface, now=now, config=config) for one in affected
        ]
    await ports.publisher.publish_all(list(report.changes))
    await ports.ledger.mark_processed(config.consumer, [c.command_id for c, _ in fresh], at=now)
    report.processed = len(fresh)
    return report


async def _link(
    command: SyncCommand,
    action: LinkRecord,
    snapshot: AnySnapshot | None,
    ports: DecisionPorts,
    now: datetime,
) -> list[_Affected]:
    """Link the record to the command's entity; returns it, and the entity it moved away from."""
    entity = _Affected(command.entity_id, command.entity_type)
    current = (await ports.entities.links_of([action.ref.key])).get(action.ref.key)
    if current is not None and (current.entity_id, current.method) != (entity.entity_id, "operator"):
        # The first stored link of a record wins: make room for the operator's (a matched link of the
        # same entity is replaced too, so it records who decided).
        await ports.entities.detach(action.ref, current.entity_id)
    link = Link(
        ref=action.ref, entity_id=entity.entity_id, entity_type=entity.entity_type, confidence=1.0,
        method="operator", linked_at=now, merged_into=None if current is None else current.merged_into,
    )  # fmt: skip
    keys = frozenset() if snapshot is None else blocking_keys(snapshot)
    stored = await ports.entities.attach(link, keys)
    if stored.entity_id != entity.entity_id:
        raise LinkRaceLost(f"{action.ref.key} was linked to {stored.entity_id} while moving it")
    await ports.entities.forget_rejection(action.ref, entity.entity_id)
    if current is None or current.entity_id == entity.entity_id:
        return [entity]
    return [entity, _Affected(current.entity_id, current.entity_type)]


async def _unlink(command: SyncCommand, action: UnlinkRecord, ports: DecisionPorts) -> list[_Affected]:
    # Rejected before detached: in between, the link stage could otherwise link the record right back.
    await ports.entities.reject(action.ref, command.entity_id)
    await ports.entities.detach(action.ref, command.entity_id)
    return [_Affected(command.entity_id, command.entity_type)]


def _change(
    command: SyncCommand, ref: ExternalRef, affected: _Affected, *, surface: Surface, now: datetime,
    config: DecisionConfig,
) -> EntityChanged:  # fmt: skip
    return EntityChanged(
        **caused_by(command, producer=config.producer, produced_at=now,
                    message_id=entity_changed_id(command.command_id, affected.entity_id)),
        entity_id=affected.entity_id, entity_type=affected.entity_type, changed_refs=(ref,),
        changed_fields=(), cause=command.command_id,
        surface=surface,
    )  # fmt: skip


__all__ = [
    "Decision",
    "DecisionConfig",
    "DecisionPorts",
    "DecisionReport",
    "LinkRaceLost",
    "decisions_in",
    "run_decision_stage",
]
