"""An observation in canonical terms: its snapshot, and the records of other platforms it names as itself."""

from dataclasses import dataclass

from shared.core.errors import InvalidInput
from shared.core.events import RecordObserved
from shared.core.mapping import MappingContext, MissingMapping, mapping_for
from shared.core.matching import blocking_keys
from shared.core.model import EntityType, ExternalRef, System
from shared.core.platforms.base import WireRecord
from shared.core.platforms.netsuite import NetSuiteRecord
from shared.core.repositories import AnySnapshot


@dataclass(frozen=True)
class Mapped:
    """A mapped observation. ``cross_refs`` are records the platform record names as itself (a
    NetSuite ``externalId`` of ``shopify:7045610061887``); they are blocking keys for matching."""

    message: RecordObserved
    snapshot: AnySnapshot
    cross_refs: frozenset[ExternalRef] = frozenset()

    @property
    def keys(self) -> frozenset[str]:
        """Every blocking key of the record (values, own ref, cross refs)."""
        return blocking_keys(self.snapshot, self.cross_refs)


def map_observation(message: RecordObserved, context: MappingContext) -> Mapped:
    """The observation in canonical terms; raises ``InvalidInput`` if it cannot be mapped."""
    try:
        mapping = mapping_for(message.ref.system, message.entity_type)
    except MissingMapping as error:
        raise InvalidInput(str(error)) from None
    record = mapping.parse(message.record)
    snapshot = mapping.to_snapshot(record, context, observed_at=message.observed_at, surface=message.surface)
    if snapshot.ref.key != message.ref.key:
        raise InvalidInput(f"record {snapshot.ref.key} observed under {message.ref.key}")
    return Mapped(message, snapshot, cross_refs_of(record, message.entity_type))


def cross_refs_of(record: WireRecord, entity_type: EntityType) -> frozenset[ExternalRef]:
    """``<system>:<id>`` in a NetSuite ``externalId`` names that platform's record of the same entity
    type; anything else (a free-form external id) names nothing."""
    if not isinstance(record, NetSuiteRecord) or not record.outside_key:
        return frozenset()
    system_name, separator, external_id = record.outside_key.partition(":")
    if not separator or not external_id or system_name not in {s.value for s in System}:
        return frozenset()
    system = System(system_name)
    if system is System.NETSUITE:
        return frozenset()
    object_type = mapping_for(system, entity_type).object_type
    return frozenset({ExternalRef(system=system, object_type=object_type, external_id=external_id)})
