"""Re-reads for two observations of one record version that disagree.

Versions (``updated_at``, ``lastModifiedDate``) have whole seconds, so two states of a record within
one second share a version and the observation time decides which is current. That is only right
when each observation is dated by the moment its content was true; a read is dated when it returned,
so a slow read (a poll page of ten records, a batch of hydration fetches) that began before an update
can outrank a quick read that began after it, and the older state would stay stored.

So when an event-surface observation (webhook or poll) and the stored snapshot show the same version
with different content, the link stage asks ingest to read the record again (``RefreshRequested``,
reason ``version_tie``, surface pulse). That read starts after both and is dated after itself, so it
outranks them with the current state. Its answer never asks again (pulse observations are exempt),
so a tie costs one read.
"""

import json
import uuid
from datetime import datetime

from shared.core.drift import changed_fields
from shared.core.events import RecordObserved, RefreshRequested, caused_by
from shared.core.events.ids import CONCORD_MESSAGE_NAMESPACE
from shared.core.model import Surface
from shared.core.repositories import AnySnapshot, source_version_key

_TIE_SURFACES = frozenset({Surface.WEBHOOK, Surface.POLL})


def is_version_tie(stored: AnySnapshot, observed: AnySnapshot) -> bool:
    """Whether ``observed`` (from an event surface) shows ``stored``'s version with other content."""
    version = source_version_key(observed)
    return (
        observed.surface in _TIE_SURFACES
        and bool(version)
        and version == source_version_key(stored)
        and bool(changed_fields(stored, observed))
    )


def reread_request(cause: RecordObserved, *, producer: str, now: datetime) -> RefreshRequested:
    """The request to read ``cause``'s record again; its id derives from ``cause`` (a redelivered
    batch asks once)."""
    name = json.dumps(["version_tie_reread", cause.message_id], separators=(",", ":"))
    return RefreshRequested(
        **caused_by(cause, producer=producer, produced_at=now,
                    message_id=str(uuid.uuid5(CONCORD_MESSAGE_NAMESPACE, name))),
        refs=(cause.ref,), reason="version_tie", requested_by=producer, surface=Surface.PULSE,
    )  # fmt: skip


__all__ = ["is_version_tie", "reread_request"]
