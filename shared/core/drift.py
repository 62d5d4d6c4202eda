"""Passive drift: a change that only a pulse found, because no event surface reported it.

Every platform has an event surface that normally tells Concord about changes: HubSpot and Shopify
send webhooks, NetSuite is polled. When the pulse scheduler re-reads a record and the refreshed
canonical values differ from the last stored snapshot, that surface missed the change (a webhook
lost or never configured, a poll that skipped a record). Naming the missed surface tells an operator
where to look.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from shared.core.errors import InvalidInput
from shared.core.mapping.entity import LINK_FIELDS
from shared.core.model import Surface, System
from shared.core.snapshot import CustomerSnapshot, OrderSnapshot, ProductSnapshot

AnySnapshot = CustomerSnapshot | ProductSnapshot | OrderSnapshot

EVENT_SURFACE_OF: Final[Mapping[System, Surface]] = MappingProxyType(
    {System.HUBSPOT: Surface.WEBHOOK, System.SHOPIFY: Surface.WEBHOOK, System.NETSUITE: Surface.POLL}
)
"""The surface that normally reports a platform's changes (Shopify is polled too, as a safety net)."""

DELETED_FIELD: Final = "deleted"
"""Reported in :attr:`PassiveDrift.fields` when the record's existence changed unreported."""


@dataclass(frozen=True)
class PassiveDrift:
    """Canonical fields that changed without an event, and the event surface that missed them."""

    fields: tuple[str, ...]
    missed_surface: Surface


def detect_passive_drift(
    previous: AnySnapshot | None,
    refreshed: AnySnapshot,
    *,
    event_surfaces: Mapping[System, Surface] = EVENT_SURFACE_OF,
) -> PassiveDrift | None:
    """The passive drift ``refreshed`` reveals against ``previous``, or ``None``.

    ``None`` unless ``refreshed`` came from a pulse and a previous snapshot exists; ``None`` too for
    a stale read (the refreshed record's source update time is older than the stored one's) and
    when no represented canonical value changed. Link fields (set by Concord, not by the platform)
    are ignored; a deletion flag that changed is reported as the field ``deleted``.
    ``event_surfaces`` maps each platform to the surface that should have reported the change.
    Raises :class:`InvalidInput` when the two snapshots are of different records.
    """
    if previous is not None and previous.ref.key != refreshed.ref.key:
        raise InvalidInput(f"cannot compare {previous.ref.key} with {refreshed.ref.key}")
    if previous is None or refreshed.surface is not Surface.PULSE or _is_stale(previous, refreshed):
        return None
    fields = changed_fields(previous, refreshed)
    if not fields:
        return None
    return PassiveDrift(fields=fields, missed_surface=event_surfaces[refreshed.ref.system])


def changed_fields(previous: AnySnapshot, refreshed: AnySnapshot) -> tuple[str, ...]:
    """Canonical fields, represented by both snapshots, whose values differ, sorted; plus ``deleted``."""
    changed: list[str] = [DELETED_FIELD] if previous.deleted != refreshed.deleted else []
    if previous.entity_type != refreshed.entity_type:
        return (*changed, *sorted(refreshed.represented - LINK_FIELDS))
    shared = (previous.represented & refreshed.represented) - LINK_FIELDS
    changed.extend(
        field
        for field in sorted(shared)
        if getattr(previous.values, field, None) != getattr(refreshed.values, field, None)
    )
    return tuple(sorted(changed))


def _is_stale(previous: AnySnapshot, refreshed: AnySnapshot) -> bool:
    before, after = previous.source_updated_at, refreshed.source_updated_at
    return before is not None and after is not None and after < before


__all__ = ["DELETED_FIELD", "EVENT_SURFACE_OF", "PassiveDrift", "changed_fields", "detect_passive_drift"]
