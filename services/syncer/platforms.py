"""The syncer's reach into the platforms: re-read records as snapshots, write a planned change.

Reads and writes use the operator priority of the shared API budget: every command was approved.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.syncer.references import with_references
from shared.adapters.budget import Priority
from shared.adapters.platforms.base import PlatformConnector
from shared.core.errors import InvalidInput, NotFound
from shared.core.events import FieldImage
from shared.core.mapping import MappingContext, mapping_for
from shared.core.model import EntityType, ExternalRef, Surface, System
from shared.core.sync import PlannedWrite, image_of
from shared.core.sync.model import AnySnapshot, Reference


@dataclass(frozen=True)
class Written:
    """What the platform holds after a write: the record, the written fields, its new version."""

    ref: ExternalRef
    after: FieldImage
    version: str | None


class Platforms(Protocol):
    """What the use case needs of the platforms."""

    async def read(self, refs: Sequence[ExternalRef], entity_type: EntityType) -> list[AnySnapshot]:
        """The records that exist among ``refs`` as they are now (a missing record is left out)."""
        ...

    async def write(
        self, planned: PlannedWrite, *, tag: str, references: Sequence[tuple[Reference, ExternalRef]] = ()
    ) -> Written:
        """Carry out ``planned`` (a create pointing at ``references``); raises the connector's typed
        errors, ``InvalidInput`` if it cannot be sent."""
        ...


class ConnectorPlatforms:
    """:class:`Platforms` over the platform connectors and the core's mappings."""

    def __init__(
        self,
        connectors: Mapping[System, PlatformConnector],
        context: MappingContext,
        clock: Callable[[], datetime],
    ) -> None:
        self._connectors = connectors
        self._context = context
        self._clock = clock

    def _connector(self, system: System) -> PlatformConnector:
        connector = self._connectors.get(system)
        if connector is None:
            raise InvalidInput(f"the syncer has no {system} connector configured")
        return connector

    async def read(self, refs: Sequence[ExternalRef], entity_type: EntityType) -> list[AnySnapshot]:
        snapshots: list[AnySnapshot] = []
        for ref in refs:
            mapping = mapping_for(ref.system, entity_type)
            try:
                record = await self._connector(ref.system).read(
                    entity_type, ref.external_id, priority=Priority.OPERATOR
                )
            except NotFound:
                continue
            snapshots.append(
                mapping.to_snapshot(
                    record, self._context, observed_at=self._clock(), surface=Surface.SYNC_READBACK
                )
            )
        return snapshots

    async def write(
        self, planned: PlannedWrite, *, tag: str, references: Sequence[tuple[Reference, ExternalRef]] = ()
    ) -> Written:
        mapping = mapping_for(planned.system, planned.entity_type)
        connector = self._connector(planned.system)
        if planned.operation == "create":
            body = with_references(
                planned, mapping.to_platform_create(planned.view, self._context), references
            )
            result = await connector.create(planned.entity_type, body, tag=tag, priority=Priority.OPERATOR)
        else:
            if planned.ref is None:
                raise InvalidInput("an update needs the record it updates")
            body = mapping.to_platform_patch(planned.view, planned.fields, self._context)
            result = await connector.update(
                planned.entity_type, planned.ref.external_id, body, tag=tag, priority=Priority.OPERATOR
            )
        view = mapping.to_canonical(result.record, self._context)
        return Written(
            ref=mapping.ref(result.record),
            after=image_of(view, frozenset(planned.fields)),
            version=result.receipt.source_version,
        )
