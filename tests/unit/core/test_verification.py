from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import InvalidInput
from shared.core.model import EntityId, System
from shared.core.verification import (
    DimensionSchedule,
    DuePair,
    VerificationOutcome,
    VerificationState,
    confidence,
    dueness,
    is_due,
    next_due_at,
    rank_due,
    staleness,
    value_weight,
)

NOW = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
CONTACT = DimensionSchedule(
    dimension="customer_contact", cadence=timedelta(hours=24), half_life=timedelta(hours=12), priority=2.0
)
TOTALS = DimensionSchedule(dimension="order_totals", cadence=timedelta(hours=6), half_life=timedelta(hours=6))
SCHEDULES = {schedule.dimension: schedule for schedule in (CONTACT, TOTALS)}


def state(
    ago: timedelta | None = timedelta(hours=1),
    *,
    entity: str = "ent_a",
    dimension: str = "customer_contact",
    outcome: VerificationOutcome = VerificationOutcome.CONSISTENT,
    value: str = "0",
) -> VerificationState:
    return VerificationState(
        entity_id=EntityId(entity),
        dimension=dimension,
        last_verified_at=None if ago is None else NOW - ago,
        outcome=outcome,
        business_value=Decimal(value),
    )


@pytest.mark.parametrize(
    ("ago", "outcome", "expected"),
    [
        (timedelta(0), VerificationOutcome.CONSISTENT, 1.0),
        (timedelta(hours=12), VerificationOutcome.CONSISTENT, 0.5),
        (timedelta(hours=24), VerificationOutcome.DISCREPANT, 0.25),
        (timedelta(0), VerificationOutcome.UNKNOWN, 0.0),
        (None, VerificationOutcome.CONSISTENT, 0.0),
    ],
)
def test_confidence_halves_every_half_life_and_is_zero_without_a_known_outcome(
    ago: timedelta | None, outcome: VerificationOutcome, expected: float
) -> None:
    assert confidence(state(ago, outcome=outcome), CONTACT, NOW) == pytest.approx(expected)


def test_changes_since_the_last_verification_lower_confidence() -> None:
    verified = state(timedelta(0))
    changed_twice = verified.changed(NOW + timedelta(minutes=1)).changed(NOW + timedelta(minutes=2))

    assert changed_twice.changes_since_verified == 2
    assert confidence(changed_twice, CONTACT, NOW + timedelta(minutes=2)) < confidence(
        verified, CONTACT, NOW + timedelta(minutes=2)
    )
    assert confidence(changed_twice, CONTACT, NOW) == pytest.approx(0.75**2)


def test_a_change_older_than_the_verification_was_already_seen() -> None:
    assert state().changed(NOW - timedelta(hours=2)).changes_since_verified == 0


def test_verifying_clears_changes_seen_before_it_but_not_later_ones() -> None:
    changed = state(timedelta(hours=5)).changed(NOW - timedelta(hours=2))

    assert changed.verified(NOW, VerificationOutcome.CONSISTENT).changes_since_verified == 0
    assert (
        changed.verified(NOW - timedelta(hours=3), VerificationOutcome.DISCREPANT).changes_since_verified == 1
    )


def test_an_out_of_order_older_verification_changes_nothing() -> None:
    current = state(timedelta(hours=1))

    assert current.verified(NOW - timedelta(hours=2), VerificationOutcome.DISCREPANT) == current


def test_naive_times_are_rejected_on_update() -> None:
    naive = datetime(2030, 1, 1)  # noqa: DTZ001 - the point of the test
    with pytest.raises(InvalidInput, match="no timezone"):
        state().verified(naive, VerificationOutcome.CONSISTENT)
    with pytest.raises(InvalidInput, match="no timezone"):
        state().changed(naive)


@pytest.mark.parametrize(
    ("ago", "due"),
    [(None, True), (timedelta(hours=23), False), (timedelta(hours=24), True), (timedelta(days=3), True)],
)
def test_a_pair_is_due_one_cadence_after_its_last_verification(ago: timedelta | None, due: bool) -> None:
    subject = state(ago)

    assert is_due(subject, CONTACT, NOW) is due
    expected_at = None if ago is None else NOW - ago + CONTACT.cadence
    assert next_due_at(subject, CONTACT) == expected_at


def test_dueness_is_priority_times_staleness_times_value_weight() -> None:
    subject = state(timedelta(hours=48), value="100")

    assert staleness(subject, CONTACT, NOW) == 2.0
    assert value_weight(Decimal(100), Decimal(100)) == pytest.approx(1.6931, abs=1e-4)
    assert dueness(subject, CONTACT, NOW) == pytest.approx(2.0 * 2.0 * 1.6931, abs=1e-3)


def test_an_operator_override_replaces_the_dimension_priority() -> None:
    raised = state(timedelta(hours=48)).with_priority_override(10.0)

    assert dueness(raised, CONTACT, NOW) == pytest.approx(10.0 * 2.0)
    assert dueness(raised.with_priority_override(None), CONTACT, NOW) == pytest.approx(2.0 * 2.0)
    with pytest.raises(ValueError, match="greater than 0"):
        raised.with_priority_override(0.0)


def test_one_huge_order_is_bounded_by_the_log_value_weight() -> None:
    assert value_weight(Decimal(10_000_000), Decimal(100)) < 13.0
    assert value_weight(Decimal(0), Decimal(100)) == 1.0


def test_ranking_takes_the_most_due_pairs_first_and_skips_what_does_not_fit() -> None:
    pairs = [
        DuePair(state=state(timedelta(days=5), entity="ent_big"), cost={System.NETSUITE: 5}),
        DuePair(state=state(timedelta(days=4), entity="ent_b"), cost={System.HUBSPOT: 1, System.NETSUITE: 1}),
        DuePair(state=state(timedelta(days=2), entity="ent_c"), cost={System.HUBSPOT: 1}),
        DuePair(state=state(timedelta(hours=1), entity="ent_fresh"), cost={System.HUBSPOT: 1}),
        DuePair(state=state(None, entity="ent_new", dimension="order_totals"), cost={System.SHOPIFY: 1}),
    ]

    chosen = rank_due(pairs, SCHEDULES, NOW, budget={System.HUBSPOT: 2, System.NETSUITE: 2}, limit=10)

    assert [pair.entity_id for pair in chosen] == ["ent_b", "ent_c"]


def test_ranking_stops_at_the_limit_and_breaks_ties_by_entity_id() -> None:
    pairs = [DuePair(state=state(timedelta(days=2), entity=name)) for name in ("ent_c", "ent_a", "ent_b")]

    chosen = rank_due(pairs, SCHEDULES, NOW, budget={}, limit=2)

    assert [pair.entity_id for pair in chosen] == ["ent_a", "ent_b"]


def test_ranking_rejects_unknown_dimensions_and_negative_costs() -> None:
    with pytest.raises(InvalidInput, match="no schedule"):
        rank_due([DuePair(state=state(dimension="mystery"))], SCHEDULES, NOW, budget={}, limit=1)
    with pytest.raises(InvalidInput, match="negative"):
        rank_due([DuePair(state=state(None), cost={System.HUBSPOT: -1})], SCHEDULES, NOW, budget={}, limit=1)


ages = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650))
changes = st.integers(min_value=0, max_value=20)


@given(ages, ages, changes)
def test_confidence_never_increases_with_age(first: timedelta, second: timedelta, changed: int) -> None:
    younger, older = sorted((first, second))
    base = {"changes_since_verified": changed}

    young = state(younger).model_copy(update=base)
    old = state(older).model_copy(update=base)

    assert confidence(old, CONTACT, NOW) <= confidence(young, CONTACT, NOW)


@given(ages, ages, st.decimals(min_value=0, max_value=10**9, places=2), st.floats(0.01, 1000))
def test_dueness_never_decreases_with_staleness(
    first: timedelta, second: timedelta, value: Decimal, priority: float
) -> None:
    fresher, staler = sorted((first, second))

    def make(ago: timedelta) -> VerificationState:
        return state(ago, value=str(value)).with_priority_override(priority)

    assert staleness(make(staler), CONTACT, NOW) >= staleness(make(fresher), CONTACT, NOW)
    assert dueness(make(staler), CONTACT, NOW) >= dueness(make(fresher), CONTACT, NOW)


systems = st.sampled_from(list(System))
costs = st.dictionaries(systems, st.integers(min_value=0, max_value=5), max_size=3)
pairs = st.lists(
    st.tuples(st.none() | ages, costs, st.sampled_from(["customer_contact", "order_totals"])), max_size=30
)


@given(pairs, st.dictionaries(systems, st.integers(min_value=0, max_value=12)), st.integers(0, 40))
def test_ranking_never_exceeds_any_platform_budget_or_the_limit(
    drawn: list[tuple[timedelta | None, dict[System, int], str]], budget: dict[System, int], limit: int
) -> None:
    due_pairs = [
        DuePair(state=state(ago, entity=f"ent_{index}", dimension=dimension), cost=cost)
        for index, (ago, cost, dimension) in enumerate(drawn)
    ]

    chosen = rank_due(due_pairs, SCHEDULES, NOW, budget=budget, limit=limit)

    assert len(chosen) <= limit
    for system in System:
        assert sum(pair.cost.get(system, 0) for pair in chosen) <= budget.get(system, 0)
    by_entity = {pair.state.entity_id: pair.state for pair in due_pairs}
    assert all(is_due(by_entity[p.entity_id], SCHEDULES[p.dimension], NOW) for p in chosen)
    scores = [pair.dueness for pair in chosen]
    assert scores == sorted(scores, reverse=True)
