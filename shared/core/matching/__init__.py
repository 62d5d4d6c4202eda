"""Record matching: find the canonical entity an unlinked platform record belongs to.

Deterministic keys first (:func:`blocking_keys`), then weighted fuzzy features (:func:`match`), then
a thresholded decision (:func:`decide`). Merges of platform records are kept as :class:`MergeLineage`.
"""

from shared.core.matching.decision import (
    CreateEntity,
    LinkExisting,
    MatchDecision,
    MergeEntities,
    ProposalReason,
    ProposeLink,
    decide,
)
from shared.core.matching.keys import blocking_keys, ref_key, value_keys
from shared.core.matching.lineage import MergeConflictError, MergeCycleError, MergeLineage
from shared.core.matching.matcher import candidate_keys, match
from shared.core.matching.model import (
    DEFAULT_WEIGHTS,
    Candidate,
    CandidateScore,
    FeatureScore,
    MatchConfig,
    MatchResult,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "Candidate",
    "CandidateScore",
    "CreateEntity",
    "FeatureScore",
    "LinkExisting",
    "MatchConfig",
    "MatchDecision",
    "MatchResult",
    "MergeConflictError",
    "MergeCycleError",
    "MergeEntities",
    "MergeLineage",
    "ProposalReason",
    "ProposeLink",
    "blocking_keys",
    "candidate_keys",
    "decide",
    "match",
    "ref_key",
    "value_keys",
]
