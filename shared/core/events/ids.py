"""Message ids: deterministic where a natural key exists, random otherwise.

A deterministic id makes a duplicate detectable: the same webhook event delivered twice, the same
record version read by two overlapping polls, the same discrepancy transition replayed after a crash
all get the same ``message_id``, and the consumer's processed-message record drops the second copy.

Natural keys are encoded as a JSON array (``[kind, part, ...]``) before hashing, so that parts never
run into each other (``("a:b", "c")`` and ``("a", "b:c")`` differ) and ids of different kinds never
collide.
"""

import json
import uuid
from datetime import UTC, datetime
from typing import NewType

from shared.core.errors import InvalidInput
from shared.core.model import EntityId, ExternalRef, Surface, System

CONCORD_MESSAGE_NAMESPACE = uuid.UUID("81fc9349-08de-57ba-ab82-2841e2370649")
"""The uuid5 namespace of Concord's natural ids: ``uuid5(NAMESPACE_URL, "urn:concord:messages")``."""

DiscrepancyId = NewType("DiscrepancyId", str)
"""The id of one discrepancy episode (``dsc_`` + 32 hex characters)."""

_REFRESH_SURFACES = frozenset({Surface.PULSE, Surface.SYNC_READBACK})

KeyPart = str | int | None


def _natural_uuid(kind: str, *parts: KeyPart) -> uuid.UUID:
    name = json.dumps([kind, *parts], separators=(",", ":"), ensure_ascii=False)
    return uuid.uuid5(CONCORD_MESSAGE_NAMESPACE, name)


def _instant(value: datetime | None) -> str | None:
    # The same instant written in two time zones must give the same id.
    return None if value is None else value.astimezone(UTC).isoformat()


def new_message_id() -> str:
    """A fresh random message id, for messages without a natural key (commands, refresh requests)."""
    return str(uuid.uuid4())


def raw_notification_id(system: System, delivery_id: str, index: int) -> str:
    """Id of the ``index``-th platform event (from 0) of one webhook delivery."""
    return str(_natural_uuid("raw_notification", system.value, delivery_id, index))


def observation_id(
    ref: ExternalRef,
    surface: Surface,
    *,
    platform_event_id: str | None = None,
    source_version: str | None = None,
    source_updated_at: datetime | None = None,
    refresh_request_id: str | None = None,
) -> str:
    """Id of a ``RecordObserved``, stable across redeliveries and overlapping reads.

    - With a platform event id: one id per (record, event), whatever the surface.
    - Pulse and sync read-back observations answer a refresh request: one id per (record, request),
      so that every refresh is processed (it updates "last verified") even when the version did not
      change; ``refresh_request_id`` is then required.
    - Otherwise (webhook or poll without an event id): one id per (record, version, update time,
      surface), so that re-reading an unchanged record in a poll overlap window is a duplicate.

    Raises ``InvalidInput`` when no natural key can be formed.
    """
    if platform_event_id is not None:
        return str(_natural_uuid("record_observed:event", ref.key, platform_event_id))
    if surface in _REFRESH_SURFACES:
        if refresh_request_id is None:
            raise InvalidInput(f"a {surface} observation of {ref.key} needs the refresh request id")
        return str(_natural_uuid("record_observed:refresh", ref.key, refresh_request_id))
    if source_version is None and source_updated_at is None:
        raise InvalidInput(
            f"observation of {ref.key} has no natural key: give an event id, a source version or an update time"
        )
    return str(
        _natural_uuid(
            "record_observed:version", ref.key, source_version, _instant(source_updated_at), surface.value
        )
    )


def deletion_id(ref: ExternalRef, *, deleted_at: datetime, platform_event_id: str | None = None) -> str:
    """Id of a ``RecordDeleted``: per (record, event) when there is an event id, else per (record, time)."""
    if platform_event_id is not None:
        return str(_natural_uuid("record_deleted:event", ref.key, platform_event_id))
    return str(_natural_uuid("record_deleted:time", ref.key, _instant(deleted_at)))


def discrepancy_id_for(entity_id: EntityId, dimension: str, opened_at: datetime) -> DiscrepancyId:
    """Id of the discrepancy episode of (entity, dimension) opened at ``opened_at``.

    A disagreement that resolves and later reappears is a new episode with a new id.
    """
    return DiscrepancyId(f"dsc_{_natural_uuid('discrepancy', entity_id, dimension, _instant(opened_at)).hex}")


def discrepancy_event_id(discrepancy_id: str, revision: int) -> str:
    """Id of the discrepancy event that carries ``revision`` of ``discrepancy_id``."""
    return str(_natural_uuid("discrepancy_event", discrepancy_id, revision))


def sync_result_id(command_id: str, attempt: int, outcome: str) -> str:
    """Id of the ``SyncResult`` reporting ``outcome`` of attempt ``attempt`` of ``command_id``."""
    return str(_natural_uuid("sync_result", command_id, attempt, outcome))


__all__ = [
    "CONCORD_MESSAGE_NAMESPACE",
    "DiscrepancyId",
    "deletion_id",
    "discrepancy_event_id",
    "discrepancy_id_for",
    "new_message_id",
    "observation_id",
    "raw_notification_id",
    "sync_result_id",
]
