"""Re-reads for two observations of one record version that disagree.

Versions (``updated_at``, ``lastModifiedDate``) have whole seconds, so two states of a record within
one second share a version and the observation time decides which is current. That is only right
when each observation is dated by the moment its content was true; a read is dated when it returned,
so a slow read (a poll page of ten records, a batch of hydration fetches) that began before an update
can outrank a quick read that began after it, and the older state would stay stored.

So when an event-surface observation (webhook or poll) and the stored snapshot show the same version
with different content, the link stage asks ingest to read the record again (``RefreshRequested``,
reason ``version_tie``, surface pulse). That read starts after both and is dated after itself, so it
outranks them with the current state. Its answer never asks again (pulse observations are exempt)
and is no passive drift; a version is re-read at most once (the request's id is per record version).
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


def reread_request(
    cause: RecordObserved, observed: AnySnapshot, *, producer: str, now: datetime
) -> RefreshRequested:
    """The request to read ``cause``'s record again; one id per record version, so replicas and
    redeliveries ask once."""
    return RefreshRequested(
        **caused_by(cause, producer=producer, produced_at=now,
                    message_id=_request_id(observed.ref.key, source_version_key(observed))),
        refs=(cause.ref,), reason="version_tie", requested_by=producer, surface=Surface.PULSE,
    )  # fmt: skip


def answers_version_tie(message: RecordObserved, observed: AnySnapshot) -> bool:
    """Whether ``message`` is ingest's answer to the re-read of a tie at its own version: its content
    then differs from the stored snapshot because of the tie, not because an event surface missed a
    change, so it is no passive drift."""
    return (
        message.surface is Surface.PULSE
        and message.causation_id is not None
        and message.causation_id == _request_id(observed.ref.key, source_version_key(observed))
    )


def _request_id(record_key: str, version: str) -> str:
    name = json.dumps(["version_tie_reread", record_key, version], separators=(",", ":"))
    return str(uuid.uuid5(CONCORD_MESSAGE_NAMESPACE, name))


__all__ = ["answers_version_tie", "is_version_tie", "reread_request"]
