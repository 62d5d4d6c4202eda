"""What to do with an unlinked record once it is matched: link, propose to an operator, or create."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.core.matching.model import CandidateScore, MatchConfig, MatchResult
from shared.core.model import EntityId


class ProposalReason(StrEnum):
    """Why a match is put to an operator instead of being linked automatically."""

    BELOW_AUTO_LINK = "below_auto_link"
    KEY_CONFLICT = "key_conflict"
    """More than one entity shares a deterministic key (e.g. email) with the record."""
    AMBIGUOUS = "ambiguous"
    """Another candidate scores within the ambiguity margin of the best."""
    SYSTEM_TAKEN = "system_taken"
    """The entity already has a live record in the same platform and object type."""


class _Decision(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    match: MatchResult
    """The full scored and explained match the decision was made from."""


class LinkExisting(_Decision):
    """Link the record to ``entity_id`` without asking."""

    decision: Literal["link_existing"] = "link_existing"
    entity_id: EntityId
    confidence: float = Field(ge=0.0, le=1.0)


class ProposeLink(_Decision):
    """Ask an operator to link the record to ``entity_id`` (``alternatives`` are the other options)."""

    decision: Literal["propose_link"] = "propose_link"
    entity_id: EntityId
    confidence: float = Field(ge=0.0, le=1.0)
    reasons: tuple[ProposalReason, ...]
    alternatives: tuple[EntityId, ...] = ()


class MergeEntities(_Decision):
    """The record shares keys with several entities that complement each other (see
    :attr:`MatchResult.complementary`): they are one entity, split because its records were linked
    in an unlucky order (or by racing replicas). Merge ``merged`` into ``entity_id`` and link the
    record there. The survivor is the least entity id, so whoever decides picks the same one."""

    decision: Literal["merge_entities"] = "merge_entities"
    entity_id: EntityId
    merged: tuple[EntityId, ...]
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)


class CreateEntity(_Decision):
    """No candidate is close enough: the record starts a new canonical entity."""

    decision: Literal["create_entity"] = "create_entity"


MatchDecision = Annotated[
    LinkExisting | ProposeLink | MergeEntities | CreateEntity, Field(discriminator="decision")
]
"""A matching decision as data; the link stage of the checker carries it out."""


def decide(
    result: MatchResult, config: MatchConfig | None = None
) -> LinkExisting | ProposeLink | MergeEntities | CreateEntity:
    """Turn a match into a decision using ``config``'s thresholds.

    Guarantees: a key conflict never auto-links to one of the entities: it merges them when they
    complement each other, else it is proposed, with every key-sharing entity as an alternative; a
    record is never auto-linked to an entity that already holds a live record of the same platform
    and object type, nor when the runner-up is within ``ambiguity_margin``.
    """
    config = config or MatchConfig()
    best = result.best
    if best is None or best.confidence < config.propose_at:
        return CreateEntity(match=result)
    if result.key_conflict and result.complementary:
        keyed = sorted(score.entity_id for score in result.ranked if score.key_matches)
        return MergeEntities(match=result, entity_id=keyed[0], merged=tuple(keyed[1:]))
    reasons = _reasons(result, best, config)
    if not reasons:
        return LinkExisting(match=result, entity_id=best.entity_id, confidence=best.confidence)
    return ProposeLink(
        match=result,
        entity_id=best.entity_id,
        confidence=best.confidence,
        reasons=reasons,
        alternatives=_alternatives(result, config),
    )


def _reasons(result: MatchResult, best: CandidateScore, config: MatchConfig) -> tuple[ProposalReason, ...]:
    reasons: list[ProposalReason] = []
    if best.confidence < config.auto_link_at:
        reasons.append(ProposalReason.BELOW_AUTO_LINK)
    if result.key_conflict:
        reasons.append(ProposalReason.KEY_CONFLICT)
    runner_up = result.ranked[1] if len(result.ranked) > 1 else None
    # Two plausible candidates this close means the evidence cannot tell them apart.
    if (
        runner_up is not None
        and not result.key_conflict
        and runner_up.confidence >= config.propose_at
        and best.confidence - runner_up.confidence < config.ambiguity_margin
    ):
        reasons.append(ProposalReason.AMBIGUOUS)
    if best.system_taken:
        reasons.append(ProposalReason.SYSTEM_TAKEN)
    return tuple(reasons)


def _alternatives(result: MatchResult, config: MatchConfig) -> tuple[EntityId, ...]:
    """Other candidates worth showing: those sharing a key, or scoring at least ``propose_at``."""
    return tuple(
        score.entity_id
        for score in result.ranked[1:]
        if score.key_matches or score.confidence >= config.propose_at
    )
