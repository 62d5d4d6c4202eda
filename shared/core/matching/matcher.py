"""The matcher: score an unlinked record against candidate entities, deterministically."""

from collections.abc import Mapping, Sequence
from typing import TypeVar

from shared.core.errors import InvalidInput
from shared.core.matching.features import CUSTOMER_FEATURES, ORDER_FEATURES, PRODUCT_FEATURES, Similarity
from shared.core.matching.keys import Snapshot, blocking_keys, ref_key, value_keys
from shared.core.matching.model import Candidate, CandidateScore, FeatureScore, MatchConfig, MatchResult
from shared.core.model import Customer, ExternalRef, Order, Product
from shared.core.snapshot import CanonicalView

V = TypeVar("V", Customer, Product, Order)


def match(
    subject: Snapshot,
    candidates: Sequence[Candidate],
    *,
    config: MatchConfig | None = None,
    subject_cross_refs: frozenset[ExternalRef] = frozenset(),
) -> MatchResult:
    """Score ``subject`` against every candidate and rank them.

    Pure and deterministic: the result does not depend on the order of ``candidates``.
    ``subject_cross_refs`` are records the subject names as itself (see :func:`blocking_keys`).
    Raises :class:`InvalidInput` for a candidate of another entity type or a repeated entity id.
    """
    config = config or MatchConfig()
    _check_candidates(subject, candidates)
    subject_keys = blocking_keys(subject, subject_cross_refs)
    scores = [_score(subject, subject_keys, candidate, config) for candidate in candidates]
    ranked = tuple(sorted(scores, key=lambda score: (-score.confidence, score.entity_id)))
    keyed = {score.entity_id for score in ranked if score.key_matches}
    return MatchResult(
        subject=subject.ref,
        entity_type=subject.entity_type,
        ranked=ranked,
        key_conflict=len(keyed) > 1,
        complementary=len(keyed) > 1
        and _complementary(subject, [c for c in candidates if c.entity_id in keyed]),
    )


def _complementary(subject: Snapshot, candidates: Sequence[Candidate]) -> bool:
    """Whether the record and the candidates hold no two live records of one platform and object type."""
    kinds = [(subject.ref.system, subject.ref.object_type)]
    kinds += [
        (snapshot.ref.system, snapshot.ref.object_type)
        for candidate in candidates
        for snapshot in candidate.snapshots
        if not snapshot.deleted
    ]
    return len(kinds) == len(set(kinds))


def candidate_keys(candidate: Candidate) -> frozenset[str]:
    """Every deterministic key of a candidate entity: of its records, cross-refs and canonical values."""
    refs = {ref_key(snapshot.ref) for snapshot in candidate.snapshots}
    refs |= {ref_key(ref) for ref in candidate.cross_refs}
    values = (value_keys(view) for view in candidate.views)
    return frozenset(refs).union(*values)


def _check_candidates(subject: Snapshot, candidates: Sequence[Candidate]) -> None:
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.entity_type != subject.entity_type:
            raise InvalidInput(
                f"candidate {candidate.entity_id} is a {candidate.entity_type}, not a {subject.entity_type}"
            )
        if candidate.entity_id in seen:
            raise InvalidInput(f"candidate {candidate.entity_id} given twice")
        seen.add(candidate.entity_id)


def _score(
    subject: Snapshot, subject_keys: frozenset[str], candidate: Candidate, config: MatchConfig
) -> CandidateScore:
    key_matches = tuple(sorted(subject_keys & candidate_keys(candidate)))
    weights = config.weights.get(subject.entity_type, {})
    features = _features(subject.values, candidate.views, weights)
    total_weight = sum(weights.values())
    fuzzy = sum(score.contribution for score in features) / total_weight if total_weight else 0.0
    taken = any(
        not snapshot.deleted
        and snapshot.ref.system == subject.ref.system
        and snapshot.ref.object_type == subject.ref.object_type
        for snapshot in candidate.snapshots
    )
    return CandidateScore(
        entity_id=candidate.entity_id,
        confidence=1.0 if key_matches else min(1.0, fuzzy),
        key_matches=key_matches,
        features=features,
        system_taken=taken,
    )


def _features(
    subject: CanonicalView, views: Sequence[CanonicalView], weights: Mapping[str, float]
) -> tuple[FeatureScore, ...]:
    if isinstance(subject, Customer):
        return _apply(CUSTOMER_FEATURES, subject, [v for v in views if isinstance(v, Customer)], weights)
    if isinstance(subject, Product):
        return _apply(PRODUCT_FEATURES, subject, [v for v in views if isinstance(v, Product)], weights)
    return _apply(ORDER_FEATURES, subject, [v for v in views if isinstance(v, Order)], weights)


def _apply(
    table: Mapping[str, Similarity[V]], subject: V, views: Sequence[V], weights: Mapping[str, float]
) -> tuple[FeatureScore, ...]:
    """One score per weighted feature, in name order; each the best similarity over the views."""
    scores: list[FeatureScore] = []
    for name in sorted(weights):
        known = [s for s in (table[name](subject, view) for view in views) if s is not None]
        scores.append(
            FeatureScore(feature=name, weight=weights[name], similarity=max(known) if known else None)
        )
    return tuple(scores)
