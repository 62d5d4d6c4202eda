"""Reconciliation policy as typed, frozen data: who owns each field, how the others behave, how
conflicts resolve, what counts as equal, and how each dimension is watched.

A policy is loaded from TOML by :mod:`shared.core.policy.loader`; its shape here is the TOML shape, so a
validation error's location is the key path in the file.
"""

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, field_validator

from shared.core.model import EntityType, System


class FollowerMode(StrEnum):
    """What a platform that does not own a field does with it."""

    MIRROR = "mirror"
    """Should hold the owner's value; drift is synced from the owner."""
    PROPOSE = "propose"
    """May change the value; its changes are proposed to the owner, never applied automatically."""
    IGNORE = "ignore"
    """Its value is not compared at all."""


class ConflictStrategy(StrEnum):
    """How a disagreement on a field resolves."""

    OWNER_WINS = "owner_wins"
    MOST_RECENT_WINS = "most_recent_wins"
    MANUAL = "manual"


class TextComparison(StrEnum):
    """``normalized`` ignores case and whitespace differences (reported as formatting); ``exact`` does not."""

    NORMALIZED = "normalized"
    EXACT = "exact"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tolerance(_Frozen):
    """What still counts as agreement.

    Money is compared to the currency's minor unit (the cent) and then within ``money``; quantities
    within ± ``quantity``; text per ``text``. With ``ignore_formatting`` a difference that is only
    formatting (case, whitespace, sub-cent digits) is no finding at all instead of soft drift.
    """

    money: Decimal = Field(default=Decimal("0"), ge=0)
    quantity: NonNegativeInt = 0
    text: TextComparison = TextComparison.NORMALIZED
    ignore_formatting: bool = False

    @field_validator("money", mode="before")
    @classmethod
    def _money_not_float(cls, value: object) -> object:
        if isinstance(value, float):
            raise ValueError('write money tolerances as strings, e.g. "0.01", never as floats')
        return value


class FieldRule(_Frozen):
    """Ownership and comparison of one canonical field of one entity type.

    ``owner`` is the authoritative platform (``None``: nobody, an operator decides); ``owner_by_state``
    overrides it per lifecycle state (see :mod:`shared.core.policy.lifecycle`). Platforms absent from
    ``others`` mirror the owner.
    """

    owner: System | None = None
    owner_by_state: dict[str, System] = Field(default_factory=dict)
    others: dict[System, FollowerMode] = Field(default_factory=dict)
    strategy: ConflictStrategy = ConflictStrategy.OWNER_WINS
    tolerance: Tolerance = Field(default_factory=Tolerance)
    allow_empty_overwrite: bool = False
    """Whether an empty owner value may be synced over a non-empty one."""

    def owner_in(self, state: str) -> System | None:
        """The owner while the entity is in lifecycle ``state``."""
        return self.owner_by_state.get(state, self.owner)

    def mode_of(self, system: System) -> FollowerMode:
        """How ``system`` treats this field when it is not the owner."""
        return self.others.get(system, FollowerMode.MIRROR)


class DimensionRule(_Frozen):
    """How one dimension (a group of related fields a check covers) is watched and settled."""

    grace_seconds: NonNegativeInt = 900
    """After the newest change, differences are soft drift for this long (the systems may converge)."""
    pulse_cadence_seconds: PositiveInt = 86_400
    priority: int = Field(default=5, ge=0, le=10)
    """0 lowest, 10 highest; the pulse scheduler verifies higher priorities first."""
    auto_approve_soft_drift: bool = False


class Expectation(_Frozen):
    """An entity must be represented in ``system`` when it is in one of ``states`` (all when empty) and,
    if ``when_present`` is set, already represented there."""

    system: System
    states: tuple[str, ...] = ()
    when_present: System | None = None


class EntityPolicy(_Frozen):
    """Everything a policy says about one entity type."""

    fields: dict[str, FieldRule] = Field(default_factory=dict)
    dimensions: dict[str, DimensionRule] = Field(default_factory=dict)
    expect: tuple[Expectation, ...] = ()


class Defaults(_Frozen):
    """Rules for fields and dimensions a policy does not list."""

    field: FieldRule = Field(default_factory=lambda: FieldRule(strategy=ConflictStrategy.MANUAL))
    dimension: DimensionRule = Field(default_factory=DimensionRule)


class Policy(_Frozen):
    """A named, versioned reconciliation policy for one deployment."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    version: PositiveInt
    defaults: Defaults = Field(default_factory=Defaults)
    entities: dict[EntityType, EntityPolicy] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        """``name@version``, the prefix of every rule id."""
        return f"{self.name}@{self.version}"

    def rule_id(self, entity_type: EntityType, name: str) -> str:
        """The id of the rule for a field or dimension, e.g. ``default@1:customer.email``."""
        return f"{self.label}:{entity_type.value}.{name}"

    def entity(self, entity_type: EntityType) -> EntityPolicy:
        """The entity type's section (empty when the file has none)."""
        return self.entities.get(entity_type, _EMPTY_ENTITY)

    def field_rule(self, entity_type: EntityType, field: str) -> FieldRule:
        """The field's rule, or the defaults' field rule when the policy does not list it."""
        return self.entity(entity_type).fields.get(field, self.defaults.field)

    def dimension_rule(self, entity_type: EntityType, dimension: str) -> DimensionRule:
        """The dimension's rule, or the defaults' dimension rule."""
        return self.entity(entity_type).dimensions.get(dimension, self.defaults.dimension)

    def expectations(self, entity_type: EntityType) -> tuple[Expectation, ...]:
        """Where an entity of this type is expected to be represented."""
        return self.entity(entity_type).expect

    def owners(self, entity_type: EntityType, state: str) -> Mapping[str, System | None]:
        """Owner per listed field while an entity is in ``state``."""
        return {name: rule.owner_in(state) for name, rule in self.entity(entity_type).fields.items()}


_EMPTY_ENTITY = EntityPolicy()
