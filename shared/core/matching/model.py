"""Values of record matching: candidates in, scored and explained results out, weights as data."""

from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.core.matching.features import FEATURE_NAMES
from shared.core.model import EntityId, EntityType, ExternalRef
from shared.core.snapshot import CanonicalView, RecordSnapshot

Unit = float
"""A number in [0, 1]."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Candidate(_Value):
    """A canonical entity an unlinked record might belong to, with everything known about it.

    ``snapshots`` are the entity's linked platform records; ``canonical`` is Concord's own picture,
    if any; ``cross_refs`` are records that the linked records name as themselves (e.g. NetSuite
    ``externalId``). Every one of them is evidence; a feature takes the best similarity over them.
    """

    entity_id: EntityId
    entity_type: EntityType
    snapshots: tuple[RecordSnapshot, ...] = ()
    canonical: CanonicalView | None = None
    cross_refs: frozenset[ExternalRef] = frozenset()

    @property
    def views(self) -> tuple[CanonicalView, ...]:
        """Every canonical-terms view of the entity: its canonical picture first, then its records."""
        records = tuple(snapshot.values for snapshot in self.snapshots)
        return records if self.canonical is None else (self.canonical, *records)


class FeatureScore(_Value):
    """One feature's part in a score: ``contribution = weight * similarity`` (0 when not comparable)."""

    feature: str
    weight: float = Field(ge=0.0)
    similarity: Unit | None = Field(default=None, ge=0.0, le=1.0)
    """``None`` when either side lacks the data: no evidence either way."""

    @property
    def contribution(self) -> float:
        """What the feature adds to the weighted sum."""
        return 0.0 if self.similarity is None else self.weight * self.similarity


class CandidateScore(_Value):
    """How well one candidate entity matches the record, and why.

    ``key_matches`` are the deterministic keys the record shares with the entity; any shared key
    makes the confidence 1.0. Otherwise the confidence is the weighted sum of ``features`` divided by
    the total weight, so a feature that cannot be compared counts as no evidence.
    ``system_taken`` says the entity already has a live record in the record's own platform and
    object type, which linking would turn into a duplicate there.
    """

    entity_id: EntityId
    confidence: Unit = Field(ge=0.0, le=1.0)
    key_matches: tuple[str, ...] = ()
    features: tuple[FeatureScore, ...] = ()
    system_taken: bool = False

    def describe(self) -> str:
        """A one-line plain explanation for an operator."""
        parts = [f"key {key}" for key in self.key_matches]
        parts += [
            f"{score.feature} {score.similarity:.2f}x{score.weight:g}"
            for score in self.features
            if score.similarity is not None
        ]
        evidence = ", ".join(parts) if parts else "no comparable data"
        return f"{self.entity_id}: confidence {self.confidence:.2f} ({evidence})"


class MatchResult(_Value):
    """The outcome of matching one unlinked record against its candidate entities.

    ``ranked`` holds every candidate, best first (confidence descending, then entity id ascending, so
    the order never depends on the order the candidates came in). ``key_conflict`` is set when more
    than one candidate shares a deterministic key with the record. ``complementary`` is set with it
    when those candidates and the record hold no two live records of one platform and object type:
    then they are pieces of one entity that linking in another order would have kept together.
    """

    subject: ExternalRef
    entity_type: EntityType
    ranked: tuple[CandidateScore, ...] = ()
    key_conflict: bool = False
    complementary: bool = False

    @property
    def best(self) -> CandidateScore | None:
        """The highest-ranked candidate, or ``None`` when there were none."""
        return self.ranked[0] if self.ranked else None

    @property
    def confidence(self) -> float:
        """The best candidate's confidence (0.0 without candidates)."""
        return 0.0 if self.best is None else self.best.confidence

    @property
    def explanation(self) -> tuple[FeatureScore, ...]:
        """The best candidate's per-feature scores."""
        return () if self.best is None else self.best.features


DEFAULT_WEIGHTS: Mapping[EntityType, Mapping[str, float]] = {
    EntityType.CUSTOMER: {"name": 0.35, "phone": 0.30, "address": 0.20, "company": 0.15},
    EntityType.PRODUCT: {"title": 0.70, "price": 0.30},
    EntityType.ORDER: {"customer_email": 0.35, "total": 0.40, "placed_at": 0.25},
}


class MatchConfig(_Value):
    """Fuzzy feature weights per entity type and the decision thresholds.

    ``weights`` names, per entity type, the features that count and their weights; a type left out
    keeps :data:`DEFAULT_WEIGHTS`, a feature left out of a table does not count.

    Thresholds: a candidate at or above ``auto_link_at`` is linked automatically unless something
    makes it unsafe (key conflict, another candidate within ``ambiguity_margin``, platform already
    taken); at or above ``propose_at`` it is proposed to an operator; below, a new entity is created.
    """

    weights: dict[EntityType, dict[str, float]] = Field(
        default_factory=lambda: {kind: dict(table) for kind, table in DEFAULT_WEIGHTS.items()}
    )
    auto_link_at: Unit = Field(default=0.95, ge=0.0, le=1.0)
    propose_at: Unit = Field(default=0.6, ge=0.0, le=1.0)
    ambiguity_margin: Unit = Field(default=0.1, ge=0.0, le=1.0)

    @field_validator("weights", mode="after")
    @classmethod
    def _defaults_for_missing_types(
        cls, weights: dict[EntityType, dict[str, float]]
    ) -> dict[EntityType, dict[str, float]]:
        """An entity type left out keeps the default weights."""
        return {kind: dict(weights.get(kind, DEFAULT_WEIGHTS[kind])) for kind in EntityType}

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.propose_at > self.auto_link_at:
            raise ValueError("propose_at must not exceed auto_link_at")
        for kind in EntityType:
            table = self.weights[kind]
            unknown = set(table) - FEATURE_NAMES[kind]
            if unknown:
                raise ValueError(f"unknown {kind} features: {sorted(unknown)}")
            if any(weight < 0 for weight in table.values()) or sum(table.values()) <= 0:
                raise ValueError(f"{kind} weights must be non-negative with a positive sum")
        return self
