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
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.core.checks.compare import normalize_text, render
from shared.core.errors import InvalidInput
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


__all__ = ["EchoResult", "EchoVerdict", "recognise_echo"]
