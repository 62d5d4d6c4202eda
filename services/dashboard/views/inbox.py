"""The inbox page: counts, filters, search, the sorted and grouped page of open discrepancies.

Keys: ``filter_kinds``, ``filter_dimensions``, ``filter_entity_types``, ``filter_platforms``,
``filter_ages``, ``filter_search``, ``filter_mine``, ``filter_held``, ``inbox_page``,
``inbox_open_entity`` + ``inbox_open`` (go to the entity view), ``inbox_live``.

The inbox is a fragment that re-renders itself every ``inbox_refresh_seconds`` while "Live" is on, so
new, changed and resolved discrepancies show without a click (the rows themselves reload in the
background, see ``services.dashboard.inbox_cache``); a filter change re-renders only the fragment.
"""

import streamlit as st

from services.dashboard.auth import SignedIn
from services.dashboard.runtime import Runtime
from services.dashboard.service import utc_now
from services.dashboard.settings import DashboardSettings
from shared.core.dashboard.freshness import since_text
from shared.core.dashboard.inbox import AGE_BUCKETS, InboxFilter, InboxPage
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityType, System

ENTITY_KEY = "concord.entity_id"
NAV_KEY = "nav"
GOTO_KEY = "concord.goto"
"""A page to switch to at the start of the next run (before the page radio is drawn)."""


def render_inbox(runtime: Runtime, settings: DashboardSettings, user: SignedIn) -> InboxPage | None:
    """Render the inbox; returns the page shown (tests and the benchmark read it), ``None`` while
    the server's first load runs."""
    st.header("Inbox")
    every = settings.inbox_refresh_seconds
    live = st.toggle(f"Live (looks again every {every:.0f} s)", value=True, key="inbox_live")
    inbox: InboxPage | None = st.fragment(_render, run_every=every if live else None)(runtime, settings, user)
    return inbox


def _render(runtime: Runtime, settings: DashboardSettings, user: SignedIn) -> InboxPage | None:
    """The inbox below the header.

    While a starting server decodes its checkpoint, the default view comes from the checkpoint's
    overview; a filter, a held row or a page beyond the overview waits for the rows themselves. A
    render never blocks on the first load for longer than ``inbox_wait_seconds``: it says the rows
    are loading and looks again every second, so navigation works meanwhile."""
    include_held = bool(st.session_state.get("filter_held", False))
    page_number = int(st.session_state.get("inbox_page", 1))
    overview = runtime.inbox.overview()
    if overview is not None:
        criteria = _filters(list(overview.dimensions), user)
        early = overview.page(page_number, settings.inbox_page_size)
        if early is not None and criteria.is_empty and not include_held:
            _show(early, f"data as of the checkpoint of {since_text(overview.as_of, utc_now())}; "
                         "every row is loading, filters answer once it is in")  # fmt: skip
            _charts({(day, kind): n for day, kind, n in overview.opened})
            return early
    try:
        snapshot = runtime.inbox.current(timeout=settings.inbox_wait_seconds)
    except TimeoutError:
        _still_loading(runtime)
        return None
    prepared = runtime.inbox.prepared(snapshot, include_held=include_held)
    if overview is None:
        criteria = _filters(prepared.dimensions, user)
    page = runtime.inbox.match(snapshot, criteria, include_held=include_held).page(
        page_number, settings.inbox_page_size
    )
    _show(
        page,
        f"data as of {since_text(snapshot.loaded_at, utc_now())}, loaded in {snapshot.load_seconds:.1f} s",
    )
    _charts(prepared.opened_by_day_and_kind)
    return page


@st.fragment(run_every=1.0)
def _still_loading(runtime: Runtime) -> None:
    # Only this message re-runs every second, until the rows are in; then the whole page does.
    started = runtime.inbox.loading_since()
    if started is None:
        st.rerun()
    waited = "" if started is None else f" for {(utc_now() - started).total_seconds():.0f} s"
    st.info(
        f"Loading the open discrepancies{waited}: this server's first read of them (seconds from a saved "
        "checkpoint, about a minute for 100,000 on FerretDB without one). The inbox appears by itself."
    )


def _show(page: InboxPage, freshness: str) -> None:
    _counts(page)
    st.caption(
        f"{page.matched} open discrepancies match ({page.groups} entity-dimension groups); {freshness}"
    )
    st.number_input("Page", min_value=1, max_value=page.pages, value=page.page, key="inbox_page")
    st.dataframe(_table(page), hide_index=True, key="inbox_table")
    _open_entity(page)


def _filters(dimensions: list[str], user: SignedIn) -> InboxFilter:
    left, middle, right = st.columns(3)
    kinds = left.multiselect("Kind", [k.value for k in DiscrepancyKind], key="filter_kinds")
    chosen_dimensions = left.multiselect("Dimension", dimensions, key="filter_dimensions")
    types = middle.multiselect("Entity type", [t.value for t in EntityType], key="filter_entity_types")
    platforms = middle.multiselect("Platform", [s.value for s in System], key="filter_platforms")
    ages = right.multiselect("Age", list(AGE_BUCKETS), key="filter_ages")
    search = right.text_input("Search (email, SKU, order number, platform id)", key="filter_search")
    mine = left.checkbox("Mine only", key="filter_mine")
    middle.checkbox("Show ignored and snoozed", key="filter_held")
    return InboxFilter(
        kinds=frozenset(DiscrepancyKind(k) for k in kinds), dimensions=frozenset(chosen_dimensions),
        entity_types=frozenset(EntityType(t) for t in types), platforms=frozenset(System(p) for p in platforms),
        ages=frozenset(ages), search=search, assignee=user.name if mine else None,
    )  # fmt: skip


def _counts(page: InboxPage) -> None:
    kinds = page.counts["kind"]
    columns = st.columns(len(DiscrepancyKind) + 1)
    columns[0].metric("Open", page.matched)
    for column, kind in zip(columns[1:], DiscrepancyKind, strict=True):
        column.metric(kind.value.replace("_", " "), kinds.get(kind.value, 0))
    with st.expander("Counts by dimension, entity type, platform and age"):
        for facet in ("dimension", "entity_type", "platform", "age"):
            st.markdown(
                f"**{facet.replace('_', ' ')}**: "
                + ", ".join(f"{k} {v}" for k, v in page.counts[facet].items())
            )


def _table(page: InboxPage) -> list[dict[str, object]]:
    now = utc_now()
    return [
        {
            "priority": "raised" if e.row.raised_priority else "",
            "kind": e.row.kind.value,
            "entity": e.row.entity_id,
            "type": e.row.entity_type.value,
            "dimension": e.row.dimension,
            "fields": ", ".join(e.row.fields),
            "platforms": ", ".join(s.value for s in e.row.platforms),
            "age": since_text(e.row.opened_at, now),
            "episode": e.row.episode,
            "grouped": e.repeats,
            "assignee": e.row.assignee or "",
            "why": e.row.explanation,
        }
        for e in page.entries
    ]


def _open_entity(page: InboxPage) -> None:
    options = [f"{e.row.entity_id} · {e.row.dimension} · {e.row.kind.value}" for e in page.entries]
    if not options:
        st.info("No open discrepancy matches.")
        return
    choice = st.selectbox("Discrepancy", options, key="inbox_open_entity")
    if st.button("Open entity", key="inbox_open") and choice:
        st.session_state[ENTITY_KEY] = choice.split(" · ")[0]
        st.session_state[GOTO_KEY] = "Entity"  # the page radio already exists in this run
        st.rerun()


def _charts(opened_by_day_and_kind: dict[tuple[str, str], int]) -> None:
    with st.expander("Open discrepancies over time, by kind"):
        days = sorted({day for day, _ in opened_by_day_and_kind})
        if not days:
            return
        data: dict[str, list[object]] = {"day": list(days)}
        for kind in DiscrepancyKind:
            data[kind.value] = [opened_by_day_and_kind.get((day, kind.value), 0) for day in days]
        st.bar_chart(data, x="day", y=[k.value for k in DiscrepancyKind])


__all__ = ["ENTITY_KEY", "GOTO_KEY", "NAV_KEY", "render_inbox"]
