"""The life of one sync command: its states, the transitions allowed between them, and retry decisions.

``approved -> applying -> applied | rejected | failed``; ``failed -> retrying -> applying`` until the
retry budget is spent, then ``failed -> dead``. A ``retrying`` command waits in the store until its
next attempt is due, never inside a consumer, so it holds up no other command of its partition. ``applied``, ``rejected`` and ``dead`` are final. A
command found in ``applying`` after a crash is resumed in ``applying`` (a new attempt); what it had
already written is learnt by re-reading the target, never assumed.
"""

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from shared.core.errors import ConcordError


class CommandState(StrEnum):
    """Where a command is in its life."""

    APPROVED = "approved"
    APPLYING = "applying"
    APPLIED = "applied"
    REJECTED = "rejected"
    FAILED = "failed"
    RETRYING = "retrying"
    DEAD = "dead"


TRANSITIONS: Final = MappingProxyType(
    {
        CommandState.APPROVED: frozenset({CommandState.APPLYING, CommandState.REJECTED}),
        CommandState.APPLYING: frozenset(
            {CommandState.APPLYING, CommandState.APPLIED, CommandState.REJECTED, CommandState.FAILED}
        ),
        CommandState.FAILED: frozenset({CommandState.RETRYING, CommandState.DEAD}),
        CommandState.RETRYING: frozenset({CommandState.APPLYING}),
        CommandState.APPLIED: frozenset[CommandState](),
        CommandState.REJECTED: frozenset[CommandState](),
        CommandState.DEAD: frozenset[CommandState](),
    }
)
"""Allowed next states; ``applying -> applying`` is the resumption of an interrupted attempt."""

FINAL_STATES: Final = frozenset({CommandState.APPLIED, CommandState.REJECTED, CommandState.DEAD})


class IllegalTransition(ConcordError):
    """A state change the state machine does not allow (a bug, or a concurrent writer)."""


def check_transition(current: CommandState, target: CommandState) -> None:
    """Return if ``current -> target`` is allowed; raise ``IllegalTransition`` otherwise."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(f"a {current} command cannot become {target}")


@dataclass(frozen=True)
class RetryPolicy:
    """Command-level retries, on top of the connector's own retries of one HTTP call.

    ``max_attempts`` counts every attempt (the first included). The delay doubles from
    ``base_delay`` up to ``max_delay``; a platform's ``Retry-After`` wins when it is longer.
    """

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0


@dataclass(frozen=True)
class RetryDecision:
    """Retry after ``delay`` seconds, or give up (``retry`` False: the command goes dead)."""

    retry: bool
    delay: float = 0.0


def after_failure(
    attempt: int, *, transient: bool, retry_after: float | None, policy: RetryPolicy
) -> RetryDecision:
    """What to do after attempt number ``attempt`` (from 1) failed.

    A permanent failure (the platform rejected the request as invalid) is never retried.
    """
    if not transient or attempt >= policy.max_attempts:
        return RetryDecision(retry=False)
    backoff = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
    return RetryDecision(retry=True, delay=max(backoff, retry_after or 0.0))


__all__ = [
    "FINAL_STATES",
    "TRANSITIONS",
    "CommandState",
    "IllegalTransition",
    "RetryDecision",
    "RetryPolicy",
    "after_failure",
    "check_transition",
]
