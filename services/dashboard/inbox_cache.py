"""The in-memory inbox of one server process, reloaded in the background (stale while revalidating).

The first render waits for the first load (the server starts it early, :meth:`warm`). That load is the
last saved checkpoint when there is one (a few seconds for 100,000 rows, where a scan takes about 50 s on
FerretDB), and a scan starts right after it; without a checkpoint it is the scan. Until the first load
is in, the default view is rendered from the checkpoint's overview (:meth:`overview`, one read). Afterwards a render
never waits for the scan: when the rows are older than ``refresh_seconds`` a reload starts on the
portal loop and the render uses the rows it has. A scan is saved as the next checkpoint at most every
``checkpoint_seconds``. An operator's own change (assign, snooze, raise priority) calls
:meth:`invalidate`, which re-reads only the small annotation collections at once, so the change shows
without waiting for 100,000 rows again.
"""

import logging
import threading
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime

from services.dashboard.portal import Portal
from services.dashboard.ports import DashboardPorts
from services.dashboard.service import utc_now
from shared.core.dashboard.annotations import EntityAnnotations
from shared.core.dashboard.inbox import (
    InboxCheckpoint,
    InboxFilter,
    InboxMatch,
    InboxOverview,
    InboxRow,
    annotate,
    match_inbox,
    overview_of,
    sort_rows,
)

_REMEMBERED_FILTERS = 32
_log = logging.getLogger(__name__)


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

    def __init__(
        self,
        ports: DashboardPorts,
        portal: Portal,
        *,
        refresh_seconds: float,
        checkpoint_seconds: float = 60.0,
    ) -> None:
        self._ports = ports
        self._portal = portal
        self._refresh_seconds = refresh_seconds
        self._checkpoint_seconds = checkpoint_seconds
        self._checkpointed_at: datetime | None = None
        self._lock = threading.Lock()
        self._current: InboxSnapshot | None = None
        self._reloading: Future[InboxSnapshot] | None = None
        self._overview: Future[InboxOverview | None] | None = None
        self._first_load_started: datetime | None = None
        self._prepared: dict[tuple[int, bool], tuple[InboxSnapshot, PreparedRows]] = {}
        self._matches: dict[tuple[int, bool, InboxFilter], tuple[InboxSnapshot, InboxMatch]] = {}
        self._rows_outdated = False

    def warm(self) -> None:
        """Start the first load now, without waiting (a server calls it when it builds its runtime)."""
        with self._lock:
            if self._current is None and self._reloading is None:
                if self._ports.checkpoints is not None:
                    self._overview = self._portal.submit(self._read_overview())
                self._first_load_started = utc_now()
                self._reloading = self._portal.submit(self._load(restore=True))

    def loading_since(self) -> datetime | None:
        """When the first load started, while it runs (``None`` once rows are in)."""
        with self._lock:
            return self._first_load_started if self._current is None else None

    def overview(self, timeout: float = 10.0) -> InboxOverview | None:
        """The checkpoint's overview of the default view, under today's annotations, while the first
        load is not in yet (starts that load if nothing did, and waits for the overview's one read);
        ``None`` once it is in, or when there is none."""
        self.warm()
        with self._lock:
            pending = self._overview if self._current is None else None
        if pending is None:
            return None
        try:
            found = pending.result(timeout)
        except TimeoutError:
            return None
        with self._lock:
            return found if self._current is None else None

    def current(self, timeout: float = 600.0) -> InboxSnapshot:
        """The rows to render now: waits only when nothing was loaded yet (raises ``TimeoutError``
        after ``timeout`` seconds; the load goes on)."""
        with self._lock:
            snapshot = self._current
            stale = (
                snapshot is None
                or self._rows_outdated
                or (utc_now() - snapshot.loaded_at).total_seconds() > self._refresh_seconds
            )
            if stale and self._reloading is None:
                self._rows_outdated = False
                self._first_load_started = self._first_load_started or utc_now()
                self._reloading = self._portal.submit(self._load(restore=snapshot is None))
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

    async def _load(self, *, restore: bool = False) -> InboxSnapshot:
        """The checkpoint (``restore``, when there is one: a scan is started after it) or a scan."""
        restored = await self._restored() if restore else None
        try:
            snapshot = restored if restored is not None else await self._scanned()
            with self._lock:
                self._current = snapshot
            return snapshot
        finally:
            with self._lock:
                self._reloading = None if restored is None else self._portal.submit(self._load())

    async def _read_overview(self) -> InboxOverview | None:
        if self._ports.checkpoints is None:
            return None
        try:
            overview = await self._ports.checkpoints.load_overview()
            if overview is None:
                return None
            annotations = await self._ports.annotations.load_all()
            raised = await self._ports.annotations.raised_pairs()
        except Exception:  # noqa: BLE001 - the overview only saves time: the first load answers
            _log.exception("could not read the inbox checkpoint's overview")
            return None
        return overview.annotated(annotations, raised, utc_now())

    async def _restored(self) -> InboxSnapshot | None:
        if self._ports.checkpoints is None:
            return None
        started = utc_now()
        try:
            checkpoint = await self._ports.checkpoints.load()
        except Exception:  # noqa: BLE001 - a checkpoint only saves time: without one, the scan answers
            _log.exception("could not read the inbox checkpoint; scanning instead")
            return None
        if checkpoint is None:
            return None
        return await self._snapshot(checkpoint.rows, loaded_at=checkpoint.as_of, started=started)

    async def _scanned(self) -> InboxSnapshot:
        started = utc_now()
        rows = tuple(await self._ports.reader.open_inbox_rows())
        snapshot = await self._snapshot(rows, loaded_at=utc_now(), started=started)
        if self._checkpoint_due(snapshot.loaded_at):
            self._checkpointed_at = snapshot.loaded_at
            self._portal.submit(self._checkpoint(snapshot, as_of=started))
        return snapshot

    async def _snapshot(
        self, rows: tuple[InboxRow, ...], *, loaded_at: datetime, started: datetime
    ) -> InboxSnapshot:
        annotations = await self._ports.annotations.load_all()
        raised = await self._ports.annotations.raised_pairs()
        return InboxSnapshot(
            rows=rows, annotations=annotations, raised=frozenset(raised),
            loaded_at=loaded_at, load_seconds=(utc_now() - started).total_seconds(),
        )  # fmt: skip

    def _checkpoint_due(self, now: datetime) -> bool:
        if self._ports.checkpoints is None or self._checkpoint_seconds <= 0:
            return False
        last = self._checkpointed_at
        return last is None or (now - last).total_seconds() >= self._checkpoint_seconds

    async def _checkpoint(self, snapshot: InboxSnapshot, *, as_of: datetime) -> None:
        if self._ports.checkpoints is None:
            return
        try:
            # The default view of this snapshot is the one the next render needs too (cached).
            default = self.match(snapshot, InboxFilter(), include_held=False)
            prepared = self.prepared(snapshot, include_held=False)
            overview = overview_of(
                default, dimensions=prepared.dimensions,
                opened_by_day_and_kind=prepared.opened_by_day_and_kind, as_of=as_of,
            )  # fmt: skip
            checkpoint = InboxCheckpoint(rows=snapshot.rows, as_of=as_of, overview=overview)
            await self._ports.checkpoints.save(checkpoint, now=utc_now())
        except Exception:  # noqa: BLE001 - the next scan saves again; the inbox itself is unaffected
            _log.exception("could not save the inbox checkpoint")


__all__ = ["InboxCache", "InboxSnapshot", "PreparedRows"]
