"""Messages of the checker: entity changes for the evaluate stage, refresh requests for ingest."""

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from shared.core.events.envelope import Message, MessageId, Name
from shared.core.model import EntityId, EntityType, ExternalRef, Surface

RefreshReason = Literal["pulse", "sync_readback", "operator", "recheck", "version_tie"]
"""Why a record is re-read: a due pulse, the read-back after a sync, an operator, a re-check, or two
observations of one source version that disagree (``version_tie``: which one is current only a later
read can tell, since versions have whole seconds)."""

# The event surfaces whose silence a pulse can reveal; a pulse or a read-back cannot "miss" a change.
_EVENT_SURFACES = frozenset({Surface.WEBHOOK, Surface.POLL})

# Observations answering these reasons must carry this surface; other reasons may pick either.
_SURFACE_OF_REASON: dict[str, Surface] = {"pulse": Surface.PULSE, "sync_readback": Surface.SYNC_READBACK}


class EntityChanged(Message):
    """A canonical entity has a new observation: the evaluate stage re-runs its checks.

    Published by the link stage, keyed by entity, after the snapshot was stored and the link
    resolved. ``changed_fields`` are canonical field names; empty means unknown (check everything).
    ``cause`` is the observation or deletion message that was processed. ``passive`` marks a change
    that only a pulse saw; ``missed_surface`` then names the event surface that should have reported
    it (webhook or poll), when known.
    """

    type: Literal["entity_changed"] = "entity_changed"
    schema_version: Literal[1] = 1
    entity_id: EntityId
    entity_type: EntityType
    changed_refs: Annotated[tuple[ExternalRef, ...], Field(min_length=1)]
    changed_fields: tuple[str, ...] = ()
    cause: MessageId
    surface: Surface
    """The surface of the observation that caused this change."""
    passive: bool = False
    missed_surface: Surface | None = None

    @model_validator(mode="after")
    def _passive_drift_is_found_by_a_pulse(self) -> Self:
        if self.passive and self.surface is not Surface.PULSE:
            raise ValueError("only a pulse observation can reveal passive drift")
        if self.missed_surface is not None:
            if not self.passive:
                raise ValueError("missed_surface is only meaningful for passive drift")
            if self.missed_surface not in _EVENT_SURFACES:
                raise ValueError("missed_surface must be an event surface (webhook or poll)")
        return self

    @property
    def partition_key(self) -> str:
        """The entity id: all evaluation of one entity is ordered."""
        return self.entity_id


class RefreshRequested(Message):
    """Ask ingest to read these records now and publish observations with ``surface``.

    ``entity_id`` and ``dimension`` say which check state the answer verifies (pulse) or which
    discrepancy it re-checks; ``requested_by`` is the service or operator that asked.
    """

    type: Literal["refresh_requested"] = "refresh_requested"
    schema_version: Literal[1] = 1
    refs: Annotated[tuple[ExternalRef, ...], Field(min_length=1)]
    reason: RefreshReason
    entity_id: EntityId | None = None
    dimension: Name | None = None
    requested_by: Name
    surface: Literal[Surface.PULSE, Surface.SYNC_READBACK]

    @model_validator(mode="after")
    def _consistent_reason_and_scope(self) -> Self:
        expected = _SURFACE_OF_REASON.get(self.reason)
        if expected is not None and self.surface is not expected:
            raise ValueError(f"a {self.reason} refresh must produce {expected} observations")
        if self.dimension is not None and self.entity_id is None:
            raise ValueError("a dimension needs the entity it belongs to")
        if len({ref.key for ref in self.refs}) != len(self.refs):
            raise ValueError("refs must not repeat a record")
        return self

    @property
    def partition_key(self) -> str:
        """The first record's key (refresh requests are served by ingest, per record)."""
        return self.refs[0].key


__all__ = ["EntityChanged", "RefreshReason", "RefreshRequested"]
