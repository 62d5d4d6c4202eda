"""The in-memory inbox of one server process, reloaded in the background (stale while revalidating).

The first render waits for the first load (the server starts it early, :meth:`warm`); afterwards a
render never waits for the scan: when the rows are older than ``refresh_seconds`` a reload starts on
the portal loop and the render uses the rows it has. An operator's own change (assign, snooze, raise
priority) calls :meth:`invalidate`, which re-reads only the small annotation collections at once, so
the change shows without waiting for 100,000 rows again.
"""

import threading
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime

from services.dashboard.portal import Portal
from services.dashboard.ports import DashboardPorts
from services.dashboard.service import utc_now
from shared.core.dashboard.annotations import EntityAnnotations
from shared.core.dashboard.inbox import InboxFilter, InboxMatch, InboxRow, annotate, match_inbox, sort_rows

_REMEMBERED_FILTERS = 32


@dataclass(frozen=True)
class InboxSnapshot:
    """Rows as loaded at ``loaded_at``, with the annotations and raised pairs of that moment."""

    rows: tuple[InboxRow, ...]
    annotations: dict[str, EntityAnnotations]
    raised: frozenset[tuple[str, str]]
    loaded_at: datetime
    load_seconds: float


@dataclass(frozen=True)
class PreparedRows:
    """One snapshot's rows annotated and sorted once, with what every render of it reuses."""

    rows: list[InboxRow]
    dimensions: list[str]
    opened_by_day_and_kind: dict[tuple[str, str], int]


class InboxCache:
    """Holds the latest :class:`InboxSnapshot`; thread-safe (sessions render on their own threads)."""

    def __init__(self, ports: DashboardPorts, portal: Portal, *, refresh_seconds: float) -> None:
        self._ports = ports
        self._portal = portal
        self._refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._current: InboxSnapshot | None = None
        self._reloading: Future[InboxSnapshot] | None = None
        self._prepared: dict[tuple[int, bool], tuple[InboxSnapshot, PreparedRows]] = {}
        self._matches: dict[tuple[int, bool, InboxFilter], tuple[InboxSnapshot, InboxMatch]] = {}
        self._rows_outdated = False

    def warm(self) -> None:
        """Start the first load now, without waiting (a server calls it when it builds its runtime)."""
        with self._lock:
            if self._current is None and self._reloading is None:
                self._reloading = self._portal.submit(self._load())

    def current(self, timeout: float = 600.0) -> InboxSnapshot:
        """The rows to render now: waits only when nothing was loaded yet."""
        with self._lock:
            snapshot = self._current
            stale = (
                snapshot is None
                or self._rows_outdated
                or (utc_now() - snapshot.loaded_at).total_seconds() > self._refresh_seconds
            )
            if stale and self._reloading is None:
                self._rows_outdated = False
                self._reloading = self._portal.submit(self._load())
            pending = self._reloading
        if snapshot is not None or pending is None:
            return snapshot if snapshot is not None else self.current(timeout)
        return pending.result(timeout)

    def prepared(self, snapshot: InboxSnapshot, *, include_held: bool) -> PreparedRows:
        """``snapshot``'s rows annotated and in priority order, computed once per snapshot (filtering
        keeps the order, so no render sorts 100,000 rows again)."""
        key = (id(snapshot), include_held)
        with self._lock:
            known = self._prepared.get(key)
        if known is not None and known[0] is snapshot:
            return known[1]
        now = utc_now()
        rows = sort_rows(
            annotate(snapshot.rows, snapshot.annotations, snapshot.raised, now, include_held=include_held)
        )
        counts = Counter((row.opened_at.date().isoformat(), row.kind.value) for row in rows)
        prepared = PreparedRows(
            rows=rows, dimensions=sorted({r.dimension for r in rows}), opened_by_day_and_kind=dict(counts)
        )
        with self._lock:
            self._prepared = {k: v for k, v in self._prepared.items() if v[0] is snapshot}
            self._prepared[key] = (snapshot, prepared)
        return prepared

    def match(self, snapshot: InboxSnapshot, criteria: InboxFilter, *, include_held: bool) -> InboxMatch:
        """What ``criteria`` selects in ``snapshot``, computed once per snapshot and filter (paging
        and re-runs of the same view are then a slice)."""
        key = (id(snapshot), include_held, criteria)
        with self._lock:
            known = self._matches.get(key)
        if known is not None and known[0] is snapshot:
            return known[1]
        prepared = self.prepared(snapshot, include_held=include_held)
        found = match_inbox(prepared.rows, criteria, now=utc_now(), presorted=True)
        with self._lock:
            if len(self._matches) >= _REMEMBERED_FILTERS:
                self._matches.pop(next(iter(self._matches)))
            self._matches[key] = (snapshot, found)
        return found

    def invalidate(self) -> None:
        """Show an operator's own change now: re-read the annotations and raised pairs (small) into
        the current rows, and reload the rows themselves in the background."""
        with self._lock:
            snapshot = self._current
            self._rows_outdated = True
        if snapshot is None:
            return
        refreshed = self._portal.call(self._with_fresh_annotations(snapshot))
        with self._lock:
            if self._current is snapshot:
                self._current = refreshed

    async def _with_fresh_annotations(self, snapshot: InboxSnapshot) -> InboxSnapshot:
        annotations = await self._ports.annotations.load_all()
        raised = await self._ports.annotations.raised_pairs()
        return replace(snapshot, annotations=annotations, raised=frozenset(raised))

    async def _load(self) -> InboxSnapshot:
        started = utc_now()
        try:
            rows = await self._ports.reader.open_inbox_rows()
            annotations = await self._ports.annotations.load_all()
            raised = await self._ports.annotations.raised_pairs()
            snapshot = InboxSnapshot(
                rows=tuple(rows), annotations=annotations,
                raised=frozenset(raised), loaded_at=utc_now(),
                load_seconds=(utc_now() - started).total_seconds(),
            )  # fmt: skip
            with self._lock:
                self._current = snapshot
            return snapshot
        finally:
            with self._lock:
                self._reloading = None


__all__ = ["InboxCache", "InboxSnapshot", "PreparedRows"]
