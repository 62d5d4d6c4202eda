"""What a consistency check reports: findings, the per-platform evidence, and suggested actions.

These are values shared by the checks (which produce them), the discrepancy lifecycle (which turns
them into opened/changed/resolved transitions), the events (which carry them) and the dashboard.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.core.model import EntityId, EntityType, ExternalRef, Surface, System


class DiscrepancyKind(StrEnum):
    """How serious a disagreement is (see DESIGN.md, "Discrepancies")."""

    MISSING = "missing"
    SOFT_DRIFT = "soft_drift"
    HARD_CONFLICT = "hard_conflict"


class PlatformValue(BaseModel):
    """One platform's side of a disagreement, with the evidence needed to trust it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    system: System
    field: str | None = None
    """The canonical field this value is of (``None`` for a whole-record value such as presence)."""
    ref: ExternalRef | None = None
    value: str | None
    """The canonical value rendered as text (``None`` when empty or absent)."""
    observed_at: AwareDatetime | None = None
    source_updated_at: AwareDatetime | None = None
    surface: Surface | None = None
    freshness_seconds: float | None = None
    confidence: float = Field(ge=0.0, le=1.0)


class SyncDirection(BaseModel):
    """Copy ``fields`` from ``source`` to ``target``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Literal["sync"] = "sync"
    source: System
    target: System
    fields: tuple[str, ...]


class PerFieldChoice(BaseModel):
    """Let the operator choose, field by field, which platform's value wins."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Literal["per_field_choice"] = "per_field_choice"
    fields: tuple[str, ...]


class CreateMissing(BaseModel):
    """Create the absent representation in ``target`` from ``source``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Literal["create_missing"] = "create_missing"
    source: System
    target: System


class LinkRecords(BaseModel):
    """Link a record to the entity (a matching proposal awaiting an operator)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Literal["link"] = "link"
    ref: ExternalRef
    confidence: float = Field(ge=0.0, le=1.0)


class Ignore(BaseModel):
    """Accept the difference; nothing propagates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Literal["ignore"] = "ignore"


SuggestedAction = Annotated[
    SyncDirection | PerFieldChoice | CreateMissing | LinkRecords | Ignore, Field(discriminator="action")
]


class OwnerVerdict(BaseModel):
    """What the ownership policy says about this disagreement, and which policy said it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    owner: System | None
    """The authoritative platform, ``None`` when the policy leaves it to an operator."""
    strategy: str
    policy: str
    """Name and version of the policy rule that produced the verdict, e.g. ``default@1:customer.email``."""
    auto_approvable: bool = False


class Finding(BaseModel):
    """One (entity, dimension) disagreement found by one check at one moment.

    ``fields`` lists the canonical fields that disagree (empty for ``missing``); ``values`` has one
    entry per platform involved; ``passive_drift_surface`` names the event surface that should have
    reported the change but did not (set when a pulse found it).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity_id: EntityId
    entity_type: EntityType
    dimension: str
    check: str
    kind: DiscrepancyKind
    fields: tuple[str, ...] = ()
    values: tuple[PlatformValue, ...]
    verdict: OwnerVerdict
    suggested_actions: tuple[SuggestedAction, ...] = ()
    explanation: str
    found_at: AwareDatetime
    passive_drift_surface: Surface | None = None

    @property
    def key(self) -> str:
        """The (entity, dimension) identity that the discrepancy lifecycle tracks."""
        return f"{self.entity_id}:{self.dimension}"


__all__ = [
    "CreateMissing",
    "DiscrepancyKind",
    "Finding",
    "Ignore",
    "LinkRecords",
    "OwnerVerdict",
    "PerFieldChoice",
    "PlatformValue",
    "SuggestedAction",
    "SyncDirection",
]
