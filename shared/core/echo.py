"""Recognising Concord's own writes when they come back as observations (echoes).

When the syncer writes to a platform, that platform reports the change like any other (a webhook, a
poll, the read-back). Such an observation must not open a discrepancy or trigger another sync:
that is how sync loops form. :func:`recognise_echo` compares one observation with the writes
Concord recently made to the same record (``ports.ExpectedWrite``, from the syncer's write log).

Rules, in order:

1. Only writes to the observed record, made inside ``echo_window`` before ``now``, apply; so does
   no write the observation predates (observed, or updated at the source, before the write was
   logged): such an observation shows the record before Concord's write arrived.
2. ECHO: any applicable write whose provenance tag the record carries, whose resulting version the
   record has, or whose every written field the record shows (text equal after case and whitespace
   are normalised, since platforms reformat what they store). Fields the platform cannot represent
   are not compared; a write with no comparable field is matched by tag or version only.
3. CONFLICT: otherwise the newest applicable write with comparable fields; ``differing`` names the
   written fields the record shows differently. A deleted record conflicts with every written field.
4. NOT_OURS: nothing applies.

Echo conflicts (:func:`find_echo_conflict`, :func:`escalate_echo_conflicts`): a CONFLICT with a
write whose echo has not been seen means someone else changed the record while Concord's write was
in flight. The finding of every dimension that disagrees on such a field becomes a ``hard_conflict``
carrying both timelines: Concord's write appears in ``values`` as an entry of the written record
with no surface (nobody observed it; ``source_updated_at`` is when Concord wrote it), beside the
observed entries (value, source and observed times, surface). It names no auto-approvable verdict
and suggests a per-field choice first, so no sync loop can form. A dimension whose platforms agree
again gets no finding: the write was superseded everywhere. :func:`sustain_echo_conflicts` keeps
an escalated discrepancy a hard conflict after the window, while its check still finds it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from shared.core.checks.compare import normalize_text, render
from shared.core.checks.evidence import platform_value
from shared.core.checks.explain import duration
from shared.core.errors import InvalidInput
from shared.core.findings import DiscrepancyKind, Finding, PerFieldChoice, PlatformValue
from shared.core.ports import ExpectedWrite
from shared.core.snapshot import CustomerSnapshot, OrderSnapshot, ProductSnapshot

AnySnapshot = CustomerSnapshot | ProductSnapshot | OrderSnapshot


class EchoVerdict(StrEnum):
    """What an observation is with respect to Concord's recent writes."""

    NOT_OURS = "not_ours"
    ECHO = "echo"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class EchoResult:
    """The verdict, the write it concerns (``None`` for NOT_OURS) and, for CONFLICT, the fields that differ."""

    verdict: EchoVerdict
    write: ExpectedWrite | None
    differing: tuple[str, ...]


NOT_OURS = EchoResult(verdict=EchoVerdict.NOT_OURS, write=None, differing=())


def recognise_echo(
    snapshot: AnySnapshot,
    *,
    provenance_tag: str | None,
    recent_writes: Sequence[ExpectedWrite],
    now: datetime,
    echo_window: timedelta,
) -> EchoResult:
    """Classify ``snapshot`` against ``recent_writes`` (any order) as ECHO, CONFLICT or NOT_OURS.

    ``provenance_tag`` is the tag the observed record carries, if any. Pure and deterministic.
    Raises :class:`InvalidInput` for a naive ``now`` or a negative ``echo_window``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInput("now must be an aware datetime")
    if echo_window < timedelta(0):
        raise InvalidInput("echo_window must not be negative")
    applicable = sorted(
        (write for write in recent_writes if _applies(write, snapshot, now, echo_window)),
        key=lambda write: (write.written_at, write.write_id),
        reverse=True,
    )
    for write in applicable:
        if _is_echo_of(write, snapshot, provenance_tag):
            return EchoResult(verdict=EchoVerdict.ECHO, write=write, differing=())
    for write in applicable:
        differing = _differing_fields(write, snapshot)
        if differing:
            return EchoResult(verdict=EchoVerdict.CONFLICT, write=write, differing=differing)
    return NOT_OURS


def _applies(write: ExpectedWrite, snapshot: AnySnapshot, now: datetime, window: timedelta) -> bool:
    if write.ref.key != snapshot.ref.key:
        return False
    if not now - window <= write.written_at <= now:
        return False
    if snapshot.observed_at < write.written_at:
        return False
    updated = snapshot.source_updated_at
    return updated is None or updated >= write.written_at


def _is_echo_of(write: ExpectedWrite, snapshot: AnySnapshot, provenance_tag: str | None) -> bool:
    if provenance_tag is not None and provenance_tag == write.provenance_tag:
        return True
    if write.resulting_version is not None and write.resulting_version == snapshot.source_version:
        return True
    if snapshot.deleted:
        return False
    compared = _comparable_fields(write, snapshot)
    return bool(compared) and not _differing_fields(write, snapshot)


def _comparable_fields(write: ExpectedWrite, snapshot: AnySnapshot) -> tuple[str, ...]:
    return tuple(sorted(field for field in write.expected if field in snapshot.represented))


def _differing_fields(write: ExpectedWrite, snapshot: AnySnapshot) -> tuple[str, ...]:
    """Written fields the record shows differently (every comparable one if the record is deleted)."""
    compared = _comparable_fields(write, snapshot)
    if snapshot.deleted:
        return compared
    return tuple(
        field
        for field in compared
        if not _same_text(write.expected[field], render(getattr(snapshot.values, field, None)))
    )


def _same_text(expected: str | None, observed: str | None) -> bool:
    if expected is None or observed is None:
        return (expected or None) is None and observed is None
    return normalize_text(expected) == normalize_text(observed)


ECHO_CONFLICT_PREFIX: Final = "echo_conflict:"
"""Prefixed to the ``check`` of a finding an echo conflict escalated."""


@dataclass(frozen=True)
class EchoConflict:
    """Concord's unverified ``write`` and the ``observed`` record showing other values for ``fields``."""

    write: ExpectedWrite
    observed: AnySnapshot
    fields: tuple[str, ...]
    echo_window: timedelta


def find_echo_conflict(
    snapshot: AnySnapshot, *, recent_writes: Sequence[ExpectedWrite], now: datetime, echo_window: timedelta
) -> EchoConflict | None:
    """The conflict ``snapshot`` shows with a recent write whose echo was not seen, or ``None``.

    A verified write no longer conflicts (a later change is an ordinary one); nor does any write
    when another one's echo is ``snapshot``. Provenance tags are not compared: the link stage
    verifies a tagged echo before anything is evaluated. Raises like :func:`recognise_echo`.
    """
    unverified = [write for write in recent_writes if write.verified_at is None]
    result = recognise_echo(
        snapshot, provenance_tag=None, recent_writes=unverified, now=now, echo_window=echo_window
    )
    if result.verdict is not EchoVerdict.CONFLICT or result.write is None:
        return None
    return EchoConflict(
        write=result.write, observed=snapshot, fields=result.differing, echo_window=echo_window
    )


def is_echo_conflict(finding: Finding) -> bool:
    """Whether ``finding`` was escalated by an echo conflict."""
    return finding.check.startswith(ECHO_CONFLICT_PREFIX)


def escalate_echo_conflicts(
    findings: Sequence[Finding], conflicts: Sequence[EchoConflict], now: datetime
) -> list[Finding]:
    """``findings`` (of one entity) with each one covering a field of ``conflicts`` made a hard
    conflict carrying both timelines (see the module docstring); the others unchanged."""
    escalated: list[Finding] = []
    for finding in findings:
        relevant = [(c, f) for c in conflicts for f in c.fields if f in finding.fields]
        if not relevant or is_echo_conflict(finding):
            escalated.append(finding)
            continue
        writes = tuple(_write_entry(conflict.write, field) for conflict, field in relevant)
        seen = {(v.ref.key if v.ref else None, v.field) for v in finding.values}
        observed = tuple(
            platform_value(c.observed, f, render(getattr(c.observed.values, f, None)), now)
            for c, f in relevant
            if (c.observed.ref.key, f) not in seen
        )
        notes = [_conflict_note(conflict, field) for conflict, field in relevant]
        escalated.append(_escalated(finding, (*observed, *writes), notes))
    return escalated


def sustain_echo_conflicts(
    findings: Sequence[Finding], open_findings: Mapping[str, Finding]
) -> list[Finding]:
    """``findings`` with each one whose dimension has an open escalated finding (``open_findings`` by
    dimension) kept a hard conflict with that finding's writes, for the fields still disagreeing."""
    sustained: list[Finding] = []
    for finding in findings:
        stored = open_findings.get(finding.dimension)
        writes = () if stored is None or not is_echo_conflict(stored) else _writes_in(stored, finding.fields)
        if not writes or is_echo_conflict(finding):
            sustained.append(finding)
            continue
        notes = [
            f"After {_write_note(w)}, the record showed another value inside the echo window" for w in writes
        ]
        sustained.append(_escalated(finding, writes, notes))
    return sustained


def _escalated(finding: Finding, added: tuple[PlatformValue, ...], notes: Sequence[str]) -> Finding:
    actions = tuple(a for a in finding.suggested_actions if not isinstance(a, PerFieldChoice))
    return finding.model_copy(
        update={
            "kind": DiscrepancyKind.HARD_CONFLICT,
            "check": f"{ECHO_CONFLICT_PREFIX}{finding.check}",
            "values": (*finding.values, *added),
            "verdict": finding.verdict.model_copy(update={"auto_approvable": False}),
            "suggested_actions": (PerFieldChoice(fields=finding.fields), *actions),
            "explanation": f"{'; '.join(notes)}. {finding.explanation}",
        }
    )


def _write_entry(write: ExpectedWrite, field: str) -> PlatformValue:
    return PlatformValue(
        system=write.ref.system, field=field, ref=write.ref, value=write.expected.get(field),
        source_updated_at=write.written_at, confidence=1.0,
    )  # fmt: skip


def _writes_in(finding: Finding, fields: Sequence[str]) -> tuple[PlatformValue, ...]:
    """The write entries of an escalated finding (the ones nobody observed) for ``fields``."""
    return tuple(v for v in finding.values if v.surface is None and v.ref is not None and v.field in fields)


def _write_note(entry: PlatformValue) -> str:
    target = entry.ref.key if entry.ref is not None else entry.system.value
    at = entry.source_updated_at
    when = "" if at is None else f" at {at.isoformat(timespec='seconds')}"
    return f"Concord wrote {entry.field} = {entry.value!r} to {target}{when}"


def _conflict_note(conflict: EchoConflict, field: str) -> str:
    observed = conflict.observed
    value = None if observed.deleted else render(getattr(observed.values, field, None))
    changed = observed.source_updated_at or observed.observed_at
    shown = "deleted the record" if observed.deleted else f"showed {field} = {value!r}"
    return (
        f"{_write_note(_write_entry(conflict.write, field))} (write {conflict.write.write_id}); the record "
        f"then {shown} (changed at {changed.isoformat(timespec='seconds')}, observed at "
        f"{observed.observed_at.isoformat(timespec='seconds')} via {observed.surface.value}) inside the "
        f"{duration(conflict.echo_window.total_seconds())} echo window: someone else changed it while "
        "Concord's write was in flight"
    )


__all__ = [
    "ECHO_CONFLICT_PREFIX",
    "EchoConflict",
    "EchoResult",
    "EchoVerdict",
    "escalate_echo_conflicts",
    "find_echo_conflict",
    "is_echo_conflict",
    "recognise_echo",
    "sustain_echo_conflicts",
]
