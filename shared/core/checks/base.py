"""The consistency-check protocol and what a check reads: one canonical entity's snapshots."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

from shared.core.findings import Finding
from shared.core.model import EntityId, EntityType, System
from shared.core.policy.lifecycle import AnySnapshot, LifecycleState, lifecycle_state
from shared.core.policy.model import Policy
from shared.core.snapshot import RecordSnapshot


class EntitySnapshots(BaseModel):
    """One canonical entity as the platforms last showed it.

    ``snapshots`` holds the latest snapshot per platform of the records linked, or proposed for
    linking, to the entity; ``linked`` the platforms whose link is confirmed. A snapshot of an
    unlinked platform is a link candidate with confidence ``link_confidence[system]``.
    ``order_count`` (customers) is the number of orders linked to the customer, and
    ``last_agreed_at`` per dimension the last time a check found the platforms in agreement; the
    checker supplies both from its state.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity_id: EntityId
    entity_type: EntityType
    snapshots: dict[System, RecordSnapshot] = Field(default_factory=dict)
    linked: frozenset[System] = frozenset()
    link_confidence: dict[System, float] = Field(default_factory=dict)
    order_count: NonNegativeInt = 0
    last_agreed_at: dict[str, AwareDatetime] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _snapshots_fit(self) -> Self:
        for system, snapshot in self.snapshots.items():
            if snapshot.entity_type is not self.entity_type:
                raise ValueError(f"{system} snapshot is a {snapshot.entity_type}, not a {self.entity_type}")
            if snapshot.ref.system is not system:
                raise ValueError(f"snapshot of {snapshot.ref.system} filed under {system}")
        return self

    @property
    def live(self) -> Mapping[System, AnySnapshot]:
        """Snapshots of linked platforms whose record is not deleted: what the checks compare."""
        return {s: snap for s, snap in self.snapshots.items() if s in self.linked and not snap.deleted}

    @property
    def state(self) -> LifecycleState:
        """The entity's lifecycle state (see :mod:`shared.core.policy.lifecycle`)."""
        return lifecycle_state(self.entity_type, self.live, self.order_count)


class ConsistencyCheck(Protocol):
    """One check: compares one dimension of one entity type across platforms.

    ``evaluate`` is pure: it returns at most one finding per dimension for the entity (none when the
    platforms agree) and never raises for missing or partial data.
    """

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> str: ...

    @property
    def entity_type(self) -> EntityType: ...

    @property
    def fields(self) -> tuple[str, ...]:
        """The canonical fields the check covers (empty for presence)."""
        ...

    def evaluate(self, entity: EntitySnapshots, policy: Policy, now: datetime) -> Sequence[Finding]: ...
