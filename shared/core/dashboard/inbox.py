"""The inbox: open discrepancies as compact rows, filtered, counted, grouped, sorted and paged in memory.

Why in memory: FerretDB 1.24 scans (and decodes) every document for any query that is not an ``_id``
lookup, so a filtered, sorted, counted query over 100,000 open discrepancies takes tens of seconds
there. The dashboard therefore loads the open discrepancies once into compact rows (refreshed in the
background) and answers every inbox interaction from them; on 100,000 rows that is milliseconds.

Priority: hard conflicts first, then missing records, then soft drift; an operator's raised priority
comes before all of them. Within a priority the oldest discrepancy comes first.
"""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.core.dashboard.annotations import EntityAnnotations
from shared.core.discrepancy import Discrepancy
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityId, EntityType, System

KIND_RANK: dict[DiscrepancyKind, int] = {
    DiscrepancyKind.HARD_CONFLICT: 0,
    DiscrepancyKind.MISSING: 1,
    DiscrepancyKind.SOFT_DRIFT: 2,
}
"""Lower is more urgent."""

AgeBucket = Literal["< 1 h", "1-24 h", "1-7 d", "> 7 d"]
AGE_BUCKETS: tuple[AgeBucket, ...] = ("< 1 h", "1-24 h", "1-7 d", "> 7 d")

Facet = Literal["kind", "dimension", "entity_type", "platform", "age"]
FACETS: tuple[Facet, ...] = ("kind", "dimension", "entity_type", "platform", "age")


class InboxRow(BaseModel):
    """One open discrepancy, reduced to what the inbox shows, filters and searches."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    discrepancy_id: str
    entity_id: EntityId
    entity_type: EntityType
    dimension: str
    kind: DiscrepancyKind
    platforms: tuple[System, ...]
    fields: tuple[str, ...]
    explanation: str
    opened_at: AwareDatetime
    last_seen_at: AwareDatetime
    revision: int
    episode: int
    search_terms: tuple[str, ...]
    """Lower-cased values, platform record ids and keys, and the entity id."""
    assignee: str | None = None
    raised_priority: bool = False

    @property
    def group_key(self) -> tuple[str, str]:
        """Repeated discrepancies of one entity and dimension share this key."""
        return (self.entity_id, self.dimension)


def row_of(discrepancy: Discrepancy) -> InboxRow:
    """The inbox row of one discrepancy episode."""
    finding = discrepancy.finding
    terms = {discrepancy.entity_id.lower()}
    for value in finding.values:
        if value.value:
            terms.add(value.value.strip().lower())
        if value.ref is not None:
            terms.update({value.ref.external_id.lower(), value.ref.key.lower()})
    return InboxRow(
        discrepancy_id=discrepancy.id,
        entity_id=discrepancy.entity_id,
        entity_type=discrepancy.entity_type,
        dimension=discrepancy.dimension,
        kind=finding.kind,
        platforms=tuple(sorted({value.system for value in finding.values})),
        fields=finding.fields,
        explanation=finding.explanation,
        opened_at=discrepancy.opened_at,
        last_seen_at=discrepancy.last_seen_at,
        revision=discrepancy.revision,
        episode=discrepancy.episode,
        search_terms=tuple(sorted(terms)),
    )


def annotate(
    rows: Iterable[InboxRow],
    annotations: Mapping[str, EntityAnnotations],
    raised: Collection[tuple[str, str]],
    now: datetime,
    *,
    include_held: bool = False,
) -> list[InboxRow]:
    """Rows with their assignee and raised priority; ignored or still-snoozed dimensions are left
    out unless ``include_held``. ``raised`` holds the (entity, dimension) pairs with a raised priority."""
    annotated: list[InboxRow] = []
    for row in rows:
        notes = annotations.get(row.entity_id)
        if notes is not None and not include_held and notes.is_held(row.dimension, now):
            continue
        assignee = notes.assignments.get(row.dimension) if notes is not None else None
        is_raised = row.group_key in raised
        changed = assignee is not None or is_raised
        annotated.append(
            row.model_copy(update={"assignee": assignee, "raised_priority": is_raised}) if changed else row
        )
    return annotated


def age_bucket(opened_at: datetime, now: datetime) -> AgeBucket:
    """Which age band a discrepancy opened at ``opened_at`` falls in at ``now``."""
    age = now - opened_at
    if age < timedelta(hours=1):
        return "< 1 h"
    if age < timedelta(days=1):
        return "1-24 h"
    return "1-7 d" if age < timedelta(days=7) else "> 7 d"


class InboxFilter(BaseModel):
    """What the operator narrowed the inbox to; an empty set means "any"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: frozenset[DiscrepancyKind] = frozenset()
    dimensions: frozenset[str] = frozenset()
    entity_types: frozenset[EntityType] = frozenset()
    platforms: frozenset[System] = frozenset()
    ages: frozenset[AgeBucket] = frozenset()
    search: str = ""
    """Substring of an email, SKU, order number, platform id or record key (case-insensitive)."""
    assignee: str | None = None
    """Only discrepancies assigned to this operator ("mine")."""

    @property
    def is_empty(self) -> bool:
        """Whether no criterion is set (every row matches)."""
        return self == InboxFilter() or (
            self.model_copy(update={"search": ""}) == InboxFilter() and not self.search.strip()
        )

    def matches(self, row: InboxRow, now: datetime) -> bool:
        """Whether ``row`` passes every criterion."""
        return (
            (not self.kinds or row.kind in self.kinds)
            and (not self.dimensions or row.dimension in self.dimensions)
            and (not self.entity_types or row.entity_type in self.entity_types)
            and (not self.platforms or bool(self.platforms.intersection(row.platforms)))
            and (not self.ages or age_bucket(row.opened_at, now) in self.ages)
            and (self.assignee is None or row.assignee == self.assignee)
            and _found(self.search, row)
        )


def _found(search: str, row: InboxRow) -> bool:
    needle = search.strip().lower()
    return not needle or any(needle in term for term in row.search_terms)


class InboxEntry(BaseModel):
    """One line of the inbox: the most urgent row of an (entity, dimension) group and its repeats."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    row: InboxRow
    repeats: int = Field(ge=0)
    """How many more open discrepancies of the same entity and dimension are folded into this line."""


class InboxPage(BaseModel):
    """One page of the inbox with the counts of everything that matched."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entries: tuple[InboxEntry, ...]
    page: int
    pages: int
    matched: int
    """Open discrepancies that matched the filter (before grouping)."""
    groups: int
    counts: dict[Facet, dict[str, int]]


def priority_key(row: InboxRow) -> tuple[int, int, datetime, str]:
    """Raised priority first, then by kind, then oldest first (``discrepancy_id`` breaks ties)."""
    return (0 if row.raised_priority else 1, KIND_RANK[row.kind], row.opened_at, row.discrepancy_id)


def facet_counts(rows: Iterable[InboxRow], now: datetime) -> dict[Facet, dict[str, int]]:
    """How many rows fall under each value of each facet (a row counts once per platform it names)."""
    counters: dict[Facet, Counter[str]] = {facet: Counter() for facet in FACETS}
    for row in rows:
        counters["kind"][row.kind.value] += 1
        counters["dimension"][row.dimension] += 1
        counters["entity_type"][row.entity_type.value] += 1
        counters["age"][age_bucket(row.opened_at, now)] += 1
        for system in row.platforms:
            counters["platform"][system.value] += 1
    return {facet: dict(sorted(counter.items())) for facet, counter in counters.items()}


def group_rows(rows: Sequence[InboxRow]) -> list[InboxEntry]:
    """One entry per (entity, dimension), keeping the most urgent row; ``rows`` must be sorted."""
    return [InboxEntry(row=row, repeats=repeats) for row, repeats in _groups(rows)]


def _groups(rows: Sequence[InboxRow]) -> list[tuple[InboxRow, int]]:
    # Plain tuples: on 100,000 rows, building a model per group would cost more than the query.
    first: dict[tuple[str, str], InboxRow] = {}
    repeats: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if row.group_key in first:
            repeats[row.group_key] += 1
        else:
            first[row.group_key] = row
    return [(row, repeats[key]) for key, row in first.items()]


def sort_rows(rows: Iterable[InboxRow]) -> list[InboxRow]:
    """``rows`` in priority order (see :func:`priority_key`)."""
    return sorted(rows, key=priority_key)


@dataclass(frozen=True)
class InboxMatch:
    """Everything one filter selects, grouped and counted; pages are slices of it."""

    groups: list[tuple[InboxRow, int]]
    """(most urgent row, number of further rows of its entity and dimension), in priority order."""
    matched: int
    counts: dict[Facet, dict[str, int]]

    def page(self, page: int = 1, page_size: int = 50) -> InboxPage:
        """The ``page`` (1-based, clamped to the last page)."""
        pages = max(1, -(-len(self.groups) // page_size))
        current = min(max(1, page), pages)
        start = (current - 1) * page_size
        return InboxPage(
            entries=tuple(
                InboxEntry(row=row, repeats=n) for row, n in self.groups[start : start + page_size]
            ),
            page=current,
            pages=pages,
            matched=self.matched,
            groups=len(self.groups),
            counts=self.counts,
        )


def match_inbox(
    rows: Sequence[InboxRow], criteria: InboxFilter, *, now: datetime, presorted: bool = False
) -> InboxMatch:
    """The rows ``criteria`` selects, grouped in priority order, with their facet counts.

    ``presorted``: ``rows`` are already in :func:`sort_rows` order (filtering keeps that order, so a
    caller that sorts once per load skips the sort on every render)."""
    matched = list(rows) if criteria.is_empty else [row for row in rows if criteria.matches(row, now)]
    if not presorted:
        matched.sort(key=priority_key)
    return InboxMatch(groups=_groups(matched), matched=len(matched), counts=facet_counts(matched, now))


OVERVIEW_GROUPS = 500
"""How many groups of the default view a checkpoint keeps pre-rendered (ten pages of 50)."""


class InboxOverview(BaseModel):
    """The default view (no filter; ignored and snoozed left out) of a checkpoint's rows, computed
    when it was saved: its first groups, counts and chart data.

    Why: decoding 100,000 rows takes seconds, so a starting server renders this (a few hundred rows)
    while it decodes the checkpoint's rows; any other view waits for them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    entries: tuple[InboxEntry, ...]
    """The first groups in priority order (at most ``OVERVIEW_GROUPS``)."""
    groups: int = Field(ge=0)
    matched: int = Field(ge=0)
    counts: dict[Facet, dict[str, int]]
    dimensions: tuple[str, ...]
    """Every dimension of an open row (the dimension filter's choices)."""
    opened: tuple[tuple[str, str, int], ...]
    """(day opened, kind, open discrepancies) for the chart."""
    as_of: AwareDatetime

    def page(self, page: int, page_size: int) -> InboxPage | None:
        """Like :meth:`InboxMatch.page`; ``None`` when the page lies beyond the groups kept."""
        pages = max(1, -(-self.groups // page_size))
        current = min(max(1, page), pages)
        start = (current - 1) * page_size
        end = min(start + page_size, self.groups)
        if end > len(self.entries):
            return None
        return InboxPage(
            entries=self.entries[start:end], page=current, pages=pages,
            matched=self.matched, groups=self.groups, counts=self.counts,
        )  # fmt: skip

    def annotated(
        self, annotations: Mapping[str, EntityAnnotations], raised: Collection[tuple[str, str]], now: datetime
    ) -> "InboxOverview":
        """The overview under the annotations of ``now``: groups ignored or snoozed since it was saved
        are left out (and from the totals), assignees and raised marks are current, and the groups
        kept are in priority order again. Counts per facet stay the checkpoint's, and a pair raised
        since then shows only if it was among the groups kept."""
        kept = {e.row.group_key: e for e in self.entries}
        rows = annotate([e.row for e in self.entries], annotations, raised, now)
        entries = [InboxEntry(row=row, repeats=kept[row.group_key].repeats) for row in rows]
        shown = {row.group_key for row in rows}
        dropped = [e for key, e in kept.items() if key not in shown]
        return self.model_copy(
            update={
                "entries": tuple(sorted(entries, key=lambda e: priority_key(e.row))),
                "groups": self.groups - len(dropped),
                "matched": self.matched - sum(1 + e.repeats for e in dropped),
            }
        )


def overview_of(
    found: InboxMatch,
    *,
    dimensions: Iterable[str],
    opened_by_day_and_kind: Mapping[tuple[str, str], int],
    as_of: datetime,
    keep: int = OVERVIEW_GROUPS,
) -> InboxOverview:
    """The overview of the default view ``found`` (see :class:`InboxOverview`)."""
    return InboxOverview(
        entries=tuple(InboxEntry(row=row, repeats=n) for row, n in found.groups[:keep]),
        groups=len(found.groups), matched=found.matched, counts=found.counts,
        dimensions=tuple(sorted(dimensions)),
        opened=tuple((day, kind, n) for (day, kind), n in sorted(opened_by_day_and_kind.items())),
        as_of=as_of,
    )  # fmt: skip


@dataclass(frozen=True)
class InboxCheckpoint:
    """Every open row as one scan read them (``as_of``: when that scan started), kept so that a
    starting dashboard can render them while its own scan runs, with the default view's overview."""

    rows: tuple[InboxRow, ...]
    as_of: datetime
    overview: InboxOverview | None = None


def query_inbox(
    rows: Sequence[InboxRow], criteria: InboxFilter, *, now: datetime, page: int = 1, page_size: int = 50
) -> InboxPage:
    """:func:`match_inbox` then :meth:`InboxMatch.page`."""
    return match_inbox(rows, criteria, now=now).page(page, page_size)


__all__ = [
    "AGE_BUCKETS",
    "FACETS",
    "KIND_RANK",
    "OVERVIEW_GROUPS",
    "AgeBucket",
    "Facet",
    "InboxCheckpoint",
    "InboxEntry",
    "InboxFilter",
    "InboxMatch",
    "InboxOverview",
    "InboxPage",
    "InboxRow",
    "age_bucket",
    "annotate",
    "facet_counts",
    "group_rows",
    "match_inbox",
    "overview_of",
    "priority_key",
    "query_inbox",
    "row_of",
    "sort_rows",
]
