from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.core.dashboard.annotations import EntityAnnotations, HeldDimension
from shared.core.dashboard.inbox import (
    InboxFilter,
    InboxOverview,
    InboxRow,
    age_bucket,
    annotate,
    match_inbox,
    overview_of,
    query_inbox,
    row_of,
)
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityId, EntityType, System
from tests.unit.core.dashboard.builders import NOW, discrepancy

KINDS = list(DiscrepancyKind)


def test_a_row_carries_the_values_record_ids_and_platforms_for_search_and_filters() -> None:
    row = row_of(discrepancy(7))
    assert row.platforms == (System.HUBSPOT, System.NETSUITE)
    assert {"c7@acme.example", "old7@acme.example", "h7", "netsuite:customer:n7", "ent_7"} <= set(
        row.search_terms
    )


def test_hard_conflicts_come_before_missing_and_soft_drift_and_older_before_newer() -> None:
    rows = [
        row_of(discrepancy(1, kind=DiscrepancyKind.SOFT_DRIFT, opened=NOW - timedelta(days=9))),
        row_of(discrepancy(2, kind=DiscrepancyKind.HARD_CONFLICT, opened=NOW - timedelta(hours=1))),
        row_of(discrepancy(3, kind=DiscrepancyKind.MISSING)),
        row_of(discrepancy(4, kind=DiscrepancyKind.HARD_CONFLICT, opened=NOW - timedelta(days=2))),
    ]
    page = query_inbox(rows, InboxFilter(), now=NOW)
    assert [e.row.entity_id for e in page.entries] == ["ent_4", "ent_2", "ent_3", "ent_1"]


def test_a_raised_priority_comes_first() -> None:
    rows = [row_of(discrepancy(1)), row_of(discrepancy(2, kind=DiscrepancyKind.SOFT_DRIFT))]
    rows = annotate(rows, {}, {("ent_2", "customer_contact")}, NOW)
    assert query_inbox(rows, InboxFilter(), now=NOW).entries[0].row.entity_id == "ent_2"


def test_filters_combine_and_search_matches_emails_and_platform_ids() -> None:
    rows = [
        row_of(discrepancy(n, entity_type=t)) for n, t in ((1, EntityType.CUSTOMER), (2, EntityType.ORDER))
    ]
    assert query_inbox(rows, InboxFilter(search="OLD2@acme"), now=NOW).matched == 1
    assert query_inbox(rows, InboxFilter(search="h1"), now=NOW).entries[0].row.entity_id == "ent_1"
    only = InboxFilter(
        entity_types=frozenset({EntityType.ORDER}), kinds=frozenset({DiscrepancyKind.SOFT_DRIFT})
    )
    assert query_inbox(rows, only, now=NOW).matched == 0


def test_counts_cover_every_matching_row_not_only_the_page() -> None:
    rows = [row_of(discrepancy(n, kind=KINDS[n % 3])) for n in range(30)]
    page = query_inbox(rows, InboxFilter(), now=NOW, page=2, page_size=10)
    assert (len(page.entries), page.pages, page.matched) == (10, 3, 30)
    assert page.counts["kind"] == {"hard_conflict": 10, "missing": 10, "soft_drift": 10}
    assert page.counts["platform"] == {"hubspot": 30, "netsuite": 30}


def test_two_rows_of_one_entity_and_dimension_are_one_line() -> None:
    first, again = (
        row_of(discrepancy(1)),
        row_of(discrepancy(1)).model_copy(update={"discrepancy_id": "other"}),
    )
    page = query_inbox([first, again], InboxFilter(), now=NOW)
    assert (page.groups, page.entries[0].repeats) == (1, 1)


def test_ignored_and_snoozed_dimensions_leave_the_inbox_until_the_snooze_ends() -> None:
    rows = [row_of(discrepancy(1))]
    hold = HeldDimension(
        hold="snoozed", by="olivia", at=NOW, reason="waiting", until=NOW + timedelta(hours=1)
    )
    notes = {"ent_1": EntityAnnotations(entity_id=EntityId("ent_1")).held("customer_contact", hold)}
    assert annotate(rows, notes, set(), NOW) == []
    assert len(annotate(rows, notes, set(), NOW + timedelta(hours=2))) == 1
    assert len(annotate(rows, notes, set(), NOW, include_held=True)) == 1


def test_mine_keeps_only_what_is_assigned_to_me() -> None:
    notes = EntityAnnotations(entity_id=EntityId("ent_1")).assigned(
        "customer_contact", "olivia", by="x", at=NOW
    )
    rows = annotate([row_of(discrepancy(1)), row_of(discrepancy(2))], {"ent_1": notes}, set(), NOW)
    page = query_inbox(rows, InboxFilter(assignee="olivia"), now=NOW)
    assert [e.row.entity_id for e in page.entries] == ["ent_1"]


def test_age_buckets_have_inclusive_lower_bounds() -> None:
    assert [age_bucket(NOW - d, NOW) for d in (timedelta(0), timedelta(hours=1), timedelta(days=1), timedelta(days=7))] == [
        "< 1 h", "1-24 h", "1-7 d", "> 7 d"
    ]  # fmt: skip


@given(st.lists(st.tuples(st.integers(0, 50), st.sampled_from(KINDS), st.integers(0, 500)), max_size=40),
       st.integers(1, 7), st.integers(1, 5))  # fmt: skip
def test_pages_partition_the_matching_groups_in_priority_order(
    specs: list[tuple[int, DiscrepancyKind, int]], page_size: int, pages_to_read: int
) -> None:
    rows = [row_of(discrepancy(n, kind=kind, opened=NOW - timedelta(hours=age))) for n, kind, age in specs]
    first = query_inbox(rows, InboxFilter(), now=NOW, page_size=page_size)
    seen = [
        e
        for p in range(1, first.pages + 1)
        for e in query_inbox(rows, InboxFilter(), now=NOW, page=p, page_size=page_size).entries
    ]
    assert len(seen) == first.groups == len({r.group_key for r in rows})
    keys = [(0 if e.row.raised_priority else 1, e.row.kind, e.row.opened_at) for e in seen]
    ranks = [(a, {"hard_conflict": 0, "missing": 1, "soft_drift": 2}[k], t) for a, k, t in keys]
    assert ranks == sorted(ranks)
    assert sum(page.repeats + 1 for page in seen) == first.matched == len(rows)


def _overview_of(rows: list[InboxRow], keep: int) -> InboxOverview:
    found = match_inbox(rows, InboxFilter(), now=NOW)
    return overview_of(
        found, dimensions={r.dimension for r in rows}, opened_by_day_and_kind={}, as_of=NOW, keep=keep
    )


def test_an_overview_serves_the_default_views_first_pages_exactly_and_no_further() -> None:
    rows = [row_of(discrepancy(n, kind=KINDS[n % 3])) for n in range(30)]
    overview = _overview_of(rows, keep=20)
    for number in (1, 2):
        assert overview.page(number, 10) == query_inbox(
            rows, InboxFilter(), now=NOW, page=number, page_size=10
        )
    assert overview.page(3, 10) is None  # beyond the groups kept: the caller waits for the rows
    assert _overview_of(rows, keep=30).page(9, 10) == query_inbox(
        rows, InboxFilter(), now=NOW, page=3, page_size=10
    )


def test_an_overview_under_todays_annotations_leaves_out_what_was_held_since_and_puts_raised_first() -> None:
    rows = [row_of(discrepancy(n)) for n in range(1, 4)]
    rows.append(row_of(discrepancy(1)).model_copy(update={"discrepancy_id": "repeat", "episode": 2}))
    overview = _overview_of(rows, keep=10)
    held = HeldDimension(hold="ignored", by="olivia", at=NOW, reason="known")
    notes = {"ent_1": EntityAnnotations(entity_id=EntityId("ent_1")).held("customer_contact", held)}

    today = overview.annotated(notes, {("ent_3", "customer_contact")}, NOW)

    assert [(e.row.entity_id, e.row.raised_priority) for e in today.entries] == [
        ("ent_3", True),
        ("ent_2", False),
    ]
    assert (today.groups, today.matched) == (2, 2)  # ent_1's group held two rows
    assert today.counts == overview.counts  # per facet: the checkpoint's
