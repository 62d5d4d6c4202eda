"""The chaos run's verdict: what Concord stored and did, compared with the sandbox's ground truth.

Pure functions over plain values (the collection from MongoDB and the sandbox is in ``chaos.collect``):

- observations: an edit the load made is *observed* when Concord's stored snapshot of that record is at
  the edit's source version or later; a record is *behind* when its stored snapshot is not exactly the
  sandbox's final state (version and marker field), which also catches Concord's own writes not read back;
- duplicates: more than one open discrepancy episode for one (entity, dimension, check);
- writes: per record, the sandbox's count of API writes must equal the writes the syncer's audit trail
  reports done (made > expected is a double write, made < expected a write claimed but never made);
- commands: every command the load published exists and is final with its results published.

Versions are ``shared.core.platforms.base.version_from`` strings: fixed-width ISO-8601 UTC, so string
order is time order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SentEdit:
    """One edit the load made through the sandbox's admin API and the version it produced."""

    key: str
    version: str
    emitted: bool


@dataclass(frozen=True)
class RecordState:
    """A record's version and marker field (the customer's last name), in the sandbox or as stored."""

    version: str
    marker: str | None


@dataclass(frozen=True)
class EpisodeRow:
    """One discrepancy episode as stored."""

    entity_id: str
    dimension: str
    check: str
    status: str


@dataclass(frozen=True)
class CommandRow:
    """One sync command as the syncer stored it: its state and the record keys it reports written."""

    command_id: str
    state: str
    final: bool
    results_published: bool
    written_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObservationFigures:
    sent: int
    sent_with_webhook: int
    sent_silently: int
    observed: int
    lost: int
    records_checked: int
    records_behind: int
    lost_examples: tuple[str, ...] = ()
    behind_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteFigures:
    expected: int
    made: int
    double_writes: int
    missing_writes: int
    mismatches: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommandFigures:
    issued: int
    final: int
    by_state: dict[str, int] = field(default_factory=dict)
    not_final: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    observations: ObservationFigures
    duplicated_discrepancies: int
    duplicate_examples: tuple[str, ...]
    writes: WriteFigures
    commands: CommandFigures

    @property
    def failures(self) -> list[str]:
        """Why the run fails; empty when it passes."""
        o, w, c = self.observations, self.writes, self.commands
        checks = {
            f"{o.lost} edits lost": o.lost,
            f"{o.records_behind} records whose stored snapshot is not the sandbox's state": o.records_behind,
            f"{self.duplicated_discrepancies} duplicate open discrepancies": self.duplicated_discrepancies,
            f"{w.double_writes} double writes": w.double_writes,
            f"{w.missing_writes} writes reported but not made": w.missing_writes,
            f"{c.issued - c.final} commands not in a final state": c.issued - c.final,
        }
        return [message for message, count in checks.items() if count]

    @property
    def passed(self) -> bool:
        return not self.failures


_EXAMPLES = 10


def observation_figures(
    sent: Sequence[SentEdit], truth: Mapping[str, RecordState], stored: Mapping[str, RecordState]
) -> ObservationFigures:
    """Edits observed or lost, and records (every key of ``truth``) whose stored state is behind."""
    lost = [edit for edit in sent if not _covers(stored.get(edit.key), edit.version)]
    behind = sorted(key for key, state in truth.items() if stored.get(key) != state)
    emitted = sum(1 for edit in sent if edit.emitted)
    return ObservationFigures(
        sent=len(sent),
        sent_with_webhook=emitted,
        sent_silently=len(sent) - emitted,
        observed=len(sent) - len(lost),
        lost=len(lost),
        records_checked=len(truth),
        records_behind=len(behind),
        lost_examples=tuple(f"{e.key}@{e.version}" for e in lost[:_EXAMPLES]),
        behind_examples=tuple(
            f"{key}: sandbox {truth[key]} stored {stored.get(key)}" for key in behind[:_EXAMPLES]
        ),
    )


def _covers(state: RecordState | None, version: str) -> bool:
    return state is not None and state.version >= version


def duplicate_episodes(rows: Iterable[EpisodeRow]) -> dict[tuple[str, str, str], int]:
    """(entity, dimension, check) -> open episodes, for every key with more than one."""
    open_counts = Counter((r.entity_id, r.dimension, r.check) for r in rows if r.status == "open")
    return {key: count for key, count in sorted(open_counts.items()) if count > 1}


def write_figures(commands: Iterable[CommandRow], write_counts: Mapping[str, int]) -> WriteFigures:
    """The syncer's reported writes per record against the sandbox's write counts."""
    expected = Counter(key for command in commands for key in command.written_keys)
    double = missing = 0
    mismatches: list[str] = []
    for key in sorted(set(expected) | set(write_counts)):
        want, made = expected.get(key, 0), write_counts.get(key, 0)
        if made > want:
            double += made - want
        elif made < want:
            missing += want - made
        if made != want:
            mismatches.append(f"{key}: expected {want}, made {made}")
    return WriteFigures(
        expected=sum(expected.values()),
        made=sum(write_counts.values()),
        double_writes=double,
        missing_writes=missing,
        mismatches=tuple(mismatches[:_EXAMPLES]),
    )


def command_figures(issued: Iterable[str], rows: Iterable[CommandRow]) -> CommandFigures:
    """Commands published by the load that reached a final state with their results published."""
    by_id = {row.command_id: row for row in rows}
    wanted = sorted(set(issued))
    done = [i for i in wanted if (row := by_id.get(i)) is not None and row.final and row.results_published]
    states = Counter(by_id[i].state if i in by_id else "missing" for i in wanted)
    not_final = [f"{i}: {by_id[i].state if i in by_id else 'missing'}" for i in wanted if i not in done]
    return CommandFigures(
        issued=len(wanted), final=len(done), by_state=dict(sorted(states.items())),
        not_final=tuple(not_final[:_EXAMPLES]),
    )  # fmt: skip


def judge(
    *,
    sent: Sequence[SentEdit],
    truth: Mapping[str, RecordState],
    stored: Mapping[str, RecordState],
    episodes: Iterable[EpisodeRow],
    commands: Sequence[CommandRow],
    issued: Iterable[str],
    write_counts: Mapping[str, int],
) -> Verdict:
    """Every comparison of the run in one verdict."""
    duplicates = duplicate_episodes(episodes)
    return Verdict(
        observations=observation_figures(sent, truth, stored),
        duplicated_discrepancies=sum(count - 1 for count in duplicates.values()),
        duplicate_examples=tuple(f"{'/'.join(k)}: {n} open" for k, n in list(duplicates.items())[:_EXAMPLES]),
        writes=write_figures(commands, write_counts),
        commands=command_figures(issued, commands),
    )
