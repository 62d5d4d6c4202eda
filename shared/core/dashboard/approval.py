"""Turning an operator's decision on a discrepancy into the one ``SyncCommand`` that carries it.

The command records what the approver saw (each record's source version and the values of the
fields in question), so the syncer can refuse to write over a change made after the approval.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime

from shared.core.discrepancy import Discrepancy
from shared.core.events import (
    CONCORD_MESSAGE_NAMESPACE,
    CreateMissing,
    LinkRecord,
    OneDirectionSync,
    PerFieldSync,
    PolicySync,
    SeenRecord,
    SyncAction,
    SyncCommand,
    UnlinkRecord,
    discrepancy_id_for,
    first_in_chain,
    new_message_id,
)
from shared.core.findings import CreateMissing as SuggestedCreate
from shared.core.findings import LinkRecords, SuggestedAction, SyncDirection
from shared.core.sync import image_of
from shared.core.sync.model import AnySnapshot

PRODUCER = "dashboard"


def action_of_suggestion(suggestion: SuggestedAction) -> SyncAction | None:
    """The command action a suggestion becomes when approved as is (``None``: it needs choices or
    is not a command, such as ignore)."""
    if isinstance(suggestion, SyncDirection):
        return OneDirectionSync(source=suggestion.source, target=suggestion.target, fields=suggestion.fields)
    if isinstance(suggestion, SuggestedCreate):
        return CreateMissing(source=suggestion.source, target=suggestion.target)
    if isinstance(suggestion, LinkRecords):
        return LinkRecord(ref=suggestion.ref)
    return None


def fields_of(action: SyncAction, discrepancy: Discrepancy) -> tuple[str, ...]:
    """The canonical fields an action is about (the discrepancy's own fields when it names none)."""
    if isinstance(action, OneDirectionSync | PolicySync):
        return action.fields
    if isinstance(action, PerFieldSync):
        return tuple(sorted(action.choices))
    return discrepancy.finding.fields


def seen_records(
    action: SyncAction, discrepancy: Discrepancy, current: Sequence[AnySnapshot]
) -> tuple[SeenRecord, ...]:
    """What the approver saw of every live record the action reads or writes."""
    names = frozenset(fields_of(action, discrepancy))
    involved = _systems_involved(action)
    seen: list[SeenRecord] = []
    for snapshot in sorted(current, key=lambda s: s.ref.key):
        if snapshot.deleted or (involved is not None and snapshot.ref.system not in involved):
            continue
        if isinstance(action, LinkRecord | UnlinkRecord) and snapshot.ref.key != action.ref.key:
            continue
        image = image_of(snapshot.values, names & snapshot.represented)
        seen.append(SeenRecord(ref=snapshot.ref, source_version=snapshot.source_version, values=image))
    return tuple(seen)


def _systems_involved(action: SyncAction) -> frozenset[object] | None:
    if isinstance(action, OneDirectionSync | CreateMissing):
        return frozenset({action.source, action.target})
    return None


def idempotency_key(discrepancy: Discrepancy, action: SyncAction) -> str:
    """The same decision on the same revision of a discrepancy has the same key (a double click is
    one command)."""
    name = f"dashboard:{discrepancy.id}:{discrepancy.revision}:{action.model_dump_json()}"
    return str(uuid.uuid5(CONCORD_MESSAGE_NAMESPACE, name))


def build_command(
    discrepancy: Discrepancy,
    action: SyncAction,
    *,
    approved_by: str,
    current: Sequence[AnySnapshot],
    now: datetime,
    reason: str | None = None,
) -> SyncCommand:
    """The command approving ``action`` on ``discrepancy`` by ``approved_by`` at ``now``."""
    return SyncCommand(
        **first_in_chain(producer=PRODUCER, produced_at=now),
        command_id=new_message_id(),
        idempotency_key=idempotency_key(discrepancy, action),
        entity_id=discrepancy.entity_id,
        entity_type=discrepancy.entity_type,
        dimension=discrepancy.dimension,
        discrepancy_id=discrepancy_id_for(
            discrepancy.entity_id, discrepancy.dimension, discrepancy.opened_at
        ),
        discrepancy_revision=discrepancy.revision,
        action=action,
        approved_by=approved_by,
        approved_at=now,
        reason=reason or None,
        policy=discrepancy.finding.verdict.policy,
        seen=seen_records(action, discrepancy, current),
    )


__all__ = [
    "PRODUCER",
    "action_of_suggestion",
    "build_command",
    "fields_of",
    "idempotency_key",
    "seen_records",
]
