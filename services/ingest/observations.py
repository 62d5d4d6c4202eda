"""Turning platform records into Concord's observation messages, with ids that make duplicates visible.

Every surface ends here: a hydrated webhook, a webhook that carried the whole record, a poll page,
a refresh. The message id is natural (``shared.core.events.ids``): per (record, version, surface) for
webhooks and polls, so the same version read twice gets the same id; per (record, refresh request)
for pulse and read-back answers; per (record, platform event) for deletions with an event id.
"""

from dataclasses import dataclass
from datetime import datetime

from shared.core.events import (
    Message,
    RecordDeleted,
    RecordObserved,
    caused_by,
    deletion_id,
    first_in_chain,
    observation_id,
)
from shared.core.events.envelope import EnvelopeFields
from shared.core.model import ExternalRef, Surface, System
from shared.core.platforms import WireRecord, entity_type_for

PRODUCER = "ingest"


@dataclass(frozen=True)
class Provenance:
    """Why an observation exists: its surface, the message that caused it, the platform event."""

    surface: Surface
    observed_at: datetime
    cause: Message | None = None
    platform_event_id: str | None = None

    @property
    def refresh_request_id(self) -> str | None:
        """The refresh request answered (pulse and read-back observations are keyed by it)."""
        if self.surface in (Surface.PULSE, Surface.SYNC_READBACK) and self.cause is not None:
            return self.cause.message_id
        return None


def _envelope(provenance: Provenance, message_id: str) -> EnvelopeFields:
    if provenance.cause is None:
        return first_in_chain(producer=PRODUCER, produced_at=provenance.observed_at, message_id=message_id)
    return caused_by(
        provenance.cause, producer=PRODUCER, produced_at=provenance.observed_at, message_id=message_id
    )


def ref_of(system: System, object_type: str, record: WireRecord) -> ExternalRef:
    """The ``system:object_type:id`` reference of a platform record."""
    return ExternalRef(system=system, object_type=object_type, external_id=record.external_id())


def observe(
    system: System, object_type: str, record: WireRecord, provenance: Provenance
) -> RecordObserved | RecordDeleted:
    """The observation of ``record``; a record the platform reports deleted or archived is a deletion.

    Raises ``InvalidInput`` for an object type that holds no canonical entity.
    """
    ref = ref_of(system, object_type, record)
    if record.is_deleted():
        return delete(ref, record.source_updated_at(), provenance)
    version, updated_at = record.source_version(), record.source_updated_at()
    message_id = observation_id(
        ref,
        provenance.surface,
        source_version=version,
        source_updated_at=updated_at,
        refresh_request_id=provenance.refresh_request_id,
    )
    return RecordObserved(
        **_envelope(provenance, message_id),
        ref=ref,
        entity_type=entity_type_for(system, object_type),
        source_version=version,
        source_updated_at=updated_at,
        observed_at=provenance.observed_at,
        surface=provenance.surface,
        platform_event_id=provenance.platform_event_id,
        record=record.to_wire(),  # type: ignore[arg-type]  # to_wire is JSON-mode output: JSON values only
    )


def delete(
    ref: ExternalRef, deleted_at: datetime, provenance: Provenance, *, merged_into: ExternalRef | None = None
) -> RecordDeleted:
    """A deletion of ``ref``; its id is per platform event when there is one, else per deletion time."""
    event_id = provenance.platform_event_id or provenance.refresh_request_id
    message_id = deletion_id(ref, deleted_at=deleted_at, platform_event_id=event_id)
    return RecordDeleted(
        **_envelope(provenance, message_id),
        ref=ref,
        entity_type=entity_type_for(ref.system, ref.object_type),
        deleted_at=deleted_at,
        surface=provenance.surface,
        platform_event_id=provenance.platform_event_id,
        merged_into=merged_into,
    )
