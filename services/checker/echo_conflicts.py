"""Echo conflicts in the evaluate stage: the records an entity change names, against Concord's recent writes.

The link stage verifies echoes as they arrive; what it lets through and still differs from an
unverified write inside the echo window is a conflict (``shared.core.echo``). This module loads the
writes (one indexed query per record named in the batch and observed inside the window) and widens
the evaluated dimensions to those covering a conflicting field, so their checks run and their
findings can be escalated.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from shared.core.checks import CheckRegistry
from shared.core.echo import EchoConflict, escalate_echo_conflicts, find_echo_conflict, sustain_echo_conflicts
from shared.core.findings import Finding
from shared.core.model import EntityId, EntityType, ExternalRef
from shared.core.ports import SyncWriteLog
from shared.core.repositories import AnySnapshot, Link, StoredDiscrepancy


async def echo_conflicts(
    named: Mapping[EntityId, Sequence[ExternalRef]],
    links: Mapping[EntityId, Sequence[Link]],
    snapshots: Mapping[str, AnySnapshot],
    sync_writes: SyncWriteLog | None,
    *,
    now: datetime,
    echo_window: timedelta,
) -> dict[EntityId, list[EchoConflict]]:
    """Per entity, the conflicts its named, linked records show with Concord's recent writes.

    ``named`` holds the records each entity's changes named; without a write log there are none.
    """
    if sync_writes is None:
        return {}
    linked = {
        (entity_id, link.ref.key)
        for entity_id, found in links.items()
        for link in found
        if link.merged_into is None
    }
    since = now - echo_window
    # Only a record observed after a write (so inside the window) can conflict with it.
    targets = {
        ref.key: ref
        for entity_id, refs in named.items()
        for ref in refs
        if (entity_id, ref.key) in linked and ref.key in snapshots and snapshots[ref.key].observed_at >= since
    }
    recent = await sync_writes.recent_for_many(list(targets.values()), since=since)
    found: dict[EntityId, list[EchoConflict]] = {}
    for entity_id, refs in named.items():
        keys = dict.fromkeys(
            ref.key for ref in refs if (entity_id, ref.key) in linked and recent.get(ref.key)
        )
        for key in keys:
            conflict = find_echo_conflict(
                snapshots[key], recent_writes=recent[key], now=now, echo_window=echo_window
            )
            if conflict is not None:
                found.setdefault(entity_id, []).append(conflict)
    return found


def conflict_dimensions(
    entity_type: EntityType, conflicts: Sequence[EchoConflict], registry: CheckRegistry
) -> set[str]:
    """The dimensions of ``entity_type`` whose checks cover a field of ``conflicts``."""
    fields = {field for conflict in conflicts for field in conflict.fields}
    return {check.dimension for check in registry.for_entity(entity_type) if fields & set(check.fields)}


def with_echo_conflicts(
    findings: Sequence[Finding],
    conflicts: Sequence[EchoConflict],
    stored: Sequence[StoredDiscrepancy],
    now: datetime,
) -> list[Finding]:
    """One entity's findings on fields that conflict with a recent Concord write, or did when their
    (still open) discrepancy opened, as hard conflicts carrying the write (``shared.core.echo``)."""
    escalated = escalate_echo_conflicts(findings, conflicts, now)
    still_open = {s.discrepancy.dimension: s.discrepancy.finding for s in stored if s.discrepancy.is_open}
    return sustain_echo_conflicts(escalated, still_open)
