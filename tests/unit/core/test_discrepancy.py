from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.checks import default_registry
from shared.core.discrepancy import (
    Discrepancy,
    DiscrepancyChanged,
    DiscrepancyOpened,
    DiscrepancyResolved,
    DiscrepancyStatus,
    TransitionKind,
    apply_findings,
    discrepancy_id,
)
from shared.core.errors import InvalidInput
from shared.core.findings import Finding
from shared.core.model import EntityId, System
from shared.core.policy import default_policy
from tests.unit.core.checks.builders import ENTITY_ID, NOW, customer, entity

HS, NS = System.HUBSPOT, System.NETSUITE
DIMENSIONS = {"customer_contact"}
LATER = NOW + timedelta(minutes=10)


def _finding(
    hubspot_email: str, netsuite_email: str, *, observed_ago: timedelta = timedelta(hours=1)
) -> Finding:
    subject = entity(
        customer(HS, email=hubspot_email, observed_ago=observed_ago),
        customer(NS, email=netsuite_email, observed_ago=observed_ago),
    )
    (finding,) = default_registry().evaluate(subject, default_policy(), NOW, DIMENSIONS)
    return finding


def test_first_finding_opens_episode_one_with_a_deterministic_id() -> None:
    outcome = apply_findings([], [_finding("a@x.example", "b@x.example")], DIMENSIONS, NOW)

    (transition,) = outcome.transitions
    assert isinstance(transition, DiscrepancyOpened)
    opened = transition.discrepancy
    assert opened.id == discrepancy_id(ENTITY_ID, "customer_contact", 1)
    assert (opened.episode, opened.revision, opened.status) == (1, 1, DiscrepancyStatus.OPEN)
    assert [h.transition for h in opened.history] == [TransitionKind.OPENED]
    assert outcome.discrepancies == (opened,)


def test_same_findings_applied_twice_make_no_second_transition() -> None:
    finding = _finding("a@x.example", "b@x.example")
    first = apply_findings([], [finding], DIMENSIONS, NOW)

    second = apply_findings(first.discrepancies, [finding], DIMENSIONS, NOW)

    assert second.transitions == ()
    assert second.discrepancies == first.discrepancies


def test_re_observation_with_the_same_values_is_not_a_change() -> None:
    first = apply_findings([], [_finding("a@x.example", "b@x.example")], DIMENSIONS, NOW)
    fresher = _finding("a@x.example", "b@x.example", observed_ago=timedelta(seconds=5))

    again = apply_findings(first.discrepancies, [fresher], DIMENSIONS, LATER)

    assert again.transitions == ()
    (kept,) = again.discrepancies
    assert kept.revision == 1
    assert kept.finding == fresher
    assert kept.last_seen_at == LATER


def test_new_values_change_the_discrepancy_and_bump_its_revision() -> None:
    first = apply_findings([], [_finding("a@x.example", "b@x.example")], DIMENSIONS, NOW)

    changed = apply_findings(first.discrepancies, [_finding("a@x.example", "c@x.example")], DIMENSIONS, LATER)

    (transition,) = changed.transitions
    assert isinstance(transition, DiscrepancyChanged)
    assert transition.discrepancy.id == first.discrepancies[0].id
    assert transition.discrepancy.revision == 2
    assert transition.previous == first.discrepancies[0].finding
    assert [h.transition for h in transition.discrepancy.history] == [
        TransitionKind.OPENED,
        TransitionKind.CHANGED,
    ]


def test_no_finding_for_an_evaluated_dimension_resolves_and_the_next_one_opens_episode_two() -> None:
    first = apply_findings([], [_finding("a@x.example", "b@x.example")], DIMENSIONS, NOW)

    resolved = apply_findings(first.discrepancies, [], DIMENSIONS, LATER)
    reopened = apply_findings(
        resolved.discrepancies, [_finding("a@x.example", "b@x.example")], DIMENSIONS, LATER
    )

    (transition,) = resolved.transitions
    assert isinstance(transition, DiscrepancyResolved)
    assert transition.discrepancy.resolved_at == LATER
    assert transition.discrepancy.revision == 2
    (opened,) = reopened.transitions
    assert opened.discrepancy.episode == 2
    assert opened.discrepancy.id == discrepancy_id(ENTITY_ID, "customer_contact", 2)
    assert opened.discrepancy.id != first.discrepancies[0].id


def test_dimension_not_evaluated_is_left_open() -> None:
    first = apply_findings([], [_finding("a@x.example", "b@x.example")], DIMENSIONS, NOW)

    outcome = apply_findings(first.discrepancies, [], {"presence"}, LATER)

    assert outcome.transitions == ()
    assert outcome.discrepancies == first.discrepancies


def test_resolving_twice_is_a_single_transition() -> None:
    first = apply_findings([], [_finding("a@x.example", "b@x.example")], DIMENSIONS, NOW)
    resolved = apply_findings(first.discrepancies, [], DIMENSIONS, LATER)

    assert apply_findings(resolved.discrepancies, [], DIMENSIONS, LATER).transitions == ()


def test_finding_for_an_unevaluated_dimension_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="did not evaluate"):
        apply_findings([], [_finding("a@x.example", "b@x.example")], {"presence"}, NOW)


def test_findings_of_another_entity_are_rejected() -> None:
    first = apply_findings([], [_finding("a@x.example", "b@x.example")], DIMENSIONS, NOW)
    other = _finding("a@x.example", "c@x.example").model_copy(update={"entity_id": EntityId("ent_other")})

    with pytest.raises(InvalidInput, match="several entities"):
        apply_findings(first.discrepancies, [other], DIMENSIONS, NOW)


EMAILS = st.sampled_from(["a@x.example", "b@x.example", "c@x.example", "A@X.example"])
RUNS = st.lists(st.one_of(st.none(), st.tuples(EMAILS, EMAILS)), min_size=1, max_size=6)


@given(runs=RUNS)
def test_replaying_any_run_is_idempotent_and_ids_are_per_episode(runs: list[tuple[str, str] | None]) -> None:
    state: tuple[Discrepancy, ...] = ()
    episodes_opened = 0
    for step, run in enumerate(runs):
        now = NOW + timedelta(minutes=step)
        findings = [] if run is None or run[0] == run[1] else [_finding(*run)]
        outcome = apply_findings(state, findings, DIMENSIONS, now)
        replay = apply_findings(outcome.discrepancies, findings, DIMENSIONS, now)
        assert replay.transitions == ()
        assert replay.discrepancies == outcome.discrepancies
        episodes_opened += sum(isinstance(t, DiscrepancyOpened) for t in outcome.transitions)
        state = outcome.discrepancies
        for discrepancy in state:
            assert discrepancy.id == discrepancy_id(ENTITY_ID, discrepancy.dimension, discrepancy.episode)
            assert discrepancy.revision == len(discrepancy.history)
    assert all(d.episode == episodes_opened for d in state)
