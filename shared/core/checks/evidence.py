"""How much to trust one platform's side: freshness and a confidence score."""

import math
from datetime import datetime

from shared.core.findings import PlatformValue
from shared.core.model import Surface
from shared.core.policy.lifecycle import AnySnapshot

SURFACE_RELIABILITY: dict[Surface, float] = {
    Surface.SYNC_READBACK: 1.0,
    Surface.PULSE: 0.97,
    Surface.WEBHOOK: 0.95,
    Surface.POLL: 0.9,
}
"""A direct read right after a write or on a pulse beats a webhook (which can arrive out of order)
and a poll (which re-reads a window and may lag)."""

CONFIDENCE_HALF_LIFE_SECONDS = 6 * 3600.0
"""An observation's confidence halves every six hours: the record may have changed since."""

UNVERSIONED_PENALTY = 0.9
"""A record without the source's own update time cannot be ordered against others."""


def freshness_seconds(snapshot: AnySnapshot, now: datetime) -> float:
    """Seconds since Concord observed the record (0 for an observation stamped in the future)."""
    return max(0.0, (now - snapshot.observed_at).total_seconds())


def confidence(snapshot: AnySnapshot, now: datetime) -> float:
    """Trust in the snapshot, in [0, 1]: surface reliability, halved per half-life of age."""
    decay: float = math.pow(0.5, freshness_seconds(snapshot, now) / CONFIDENCE_HALF_LIFE_SECONDS)
    penalty = 1.0 if snapshot.source_updated_at is not None else UNVERSIONED_PENALTY
    return max(0.0, min(1.0, SURFACE_RELIABILITY[snapshot.surface] * decay * penalty))


def last_change(snapshot: AnySnapshot) -> datetime:
    """When the record last changed: the source's own time, else when Concord observed it."""
    return snapshot.source_updated_at or snapshot.observed_at


def platform_value(
    snapshot: AnySnapshot, field: str | None, value: str | None, now: datetime
) -> PlatformValue:
    """The evidence for one platform's ``value`` of ``field``, taken from ``snapshot``."""
    return PlatformValue(
        system=snapshot.ref.system,
        field=field,
        ref=snapshot.ref,
        value=value,
        observed_at=snapshot.observed_at,
        source_updated_at=snapshot.source_updated_at,
        surface=snapshot.surface,
        freshness_seconds=freshness_seconds(snapshot, now),
        confidence=confidence(snapshot, now),
    )
