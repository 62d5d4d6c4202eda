import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.sync import (
    FINAL_STATES,
    CommandState,
    IllegalTransition,
    RetryPolicy,
    after_failure,
    check_transition,
)


def test_final_states_allow_no_transition() -> None:
    for final in FINAL_STATES:
        for target in CommandState:
            with pytest.raises(IllegalTransition):
                check_transition(final, target)


def test_an_approved_command_cannot_skip_applying() -> None:
    with pytest.raises(IllegalTransition):
        check_transition(CommandState.APPROVED, CommandState.APPLIED)
    check_transition(CommandState.APPROVED, CommandState.APPLYING)


def test_a_failed_command_goes_dead_or_retrying_only() -> None:
    allowed = {t for t in CommandState if _allowed(CommandState.FAILED, t)}
    assert allowed == {CommandState.RETRYING, CommandState.DEAD}


def _allowed(source: CommandState, target: CommandState) -> bool:
    try:
        check_transition(source, target)
    except IllegalTransition:
        return False
    return True


def test_a_permanent_failure_is_never_retried() -> None:
    assert not after_failure(1, transient=False, retry_after=None, policy=RetryPolicy()).retry


@given(st.integers(min_value=1, max_value=10), st.floats(min_value=0, max_value=100))
def test_a_retry_waits_at_least_the_platforms_retry_after(attempt: int, retry_after: float) -> None:
    decision = after_failure(
        attempt, transient=True, retry_after=retry_after, policy=RetryPolicy(max_attempts=11)
    )
    assert decision.retry
    assert decision.delay >= retry_after


def test_the_last_attempt_is_not_retried() -> None:
    assert not after_failure(3, transient=True, retry_after=None, policy=RetryPolicy(max_attempts=3)).retry
