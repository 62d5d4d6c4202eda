"""Polling: per (platform, entity type), a durable cursor read forward under a lease, page by page.

One cycle: take (or renew) the cursor's lease, so that among replicas exactly one polls it; load the
cursor; list records changed since ``position - overlap``; for every page publish the observations,
wait for Kafka's acknowledgement, renew the lease, and only then save the cursor. Records modified
before ``position - overlap`` are dropped even if the platform lists them (NetSuite filters by day),
so a cycle republishes nothing outside the overlap window; inside it, the cursor remembers which
record versions it published, so only records modified since are published again.

The cursor's ``position`` moves only when a result set is read to its end, to the latest modification
time seen in it (listings are not all sorted by that time, so a partial set proves nothing about
order). Inside a result set the cursor keeps a *resume point* (the next page and the latest time seen
so far) in its ``token``: a poller killed mid-cycle resumes at the page after the last acknowledged
one, instead of republishing the pages already published. Records that surface late, or move while a
set is paged, are caught by the overlap re-read of the next cycle.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from services.ingest.observations import Provenance, observe
from services.ingest.reading import PERMANENT_ERRORS, describe
from shared.adapters.platforms.base import ChangeCursor, ChangePage, PlatformConnector
from shared.core.events import AnyMessage
from shared.core.model import EntityType, Surface, System
from shared.core.platforms import object_type_for
from shared.core.ports import CursorStore, LeaseStore, MessagePublisher, PollCursor

log = structlog.get_logger(__name__)


class LeaseLost(Exception):
    """Another replica holds the cursor's lease now; this cycle stops without saving."""


@dataclass(frozen=True)
class PollTarget:
    """One platform resource of one account, polled as one cursor."""

    system: System
    account: str
    entity_type: EntityType

    @property
    def object_type(self) -> str:
        return object_type_for(self.system, self.entity_type)

    @property
    def key(self) -> str:
        """The cursor key and lease name: ``system:account:object_type``."""
        return f"{self.system.value}:{self.account}:{self.object_type}"


@dataclass(frozen=True)
class PollConfig:
    overlap: timedelta
    initial_lookback: timedelta
    lease_ttl: timedelta


@dataclass(frozen=True)
class CycleReport:
    """What a completed cycle did."""

    pages: int
    published: int
    position: datetime


class ResumePoint(BaseModel):
    """Where an unfinished result set continues; kept in ``PollCursor.token``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    page: ChangeCursor
    high_water: AwareDatetime | None = None


@dataclass
class _Progress:
    position: datetime
    since: datetime
    page: ChangeCursor | None
    high_water: datetime | None
    resumed: bool = False
    pages: int = 0
    published: int = 0
    seen: dict[str, datetime] = field(default_factory=dict)


class Poller:
    """Polls one :class:`PollTarget`; ``holder`` names this replica in the lease."""

    def __init__(
        self,
        target: PollTarget,
        connector: PlatformConnector,
        *,
        cursors: CursorStore,
        leases: LeaseStore,
        publisher: MessagePublisher,
        holder: str,
        config: PollConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self.target = target
        self._connector = connector
        self._cursors = cursors
        self._leases = leases
        self._publisher = publisher
        self._holder = holder
        self._config = config
        self._clock = clock

    async def cycle(self) -> CycleReport | None:
        """Poll until the result set ends. ``None`` if another replica holds the lease.

        Raises ``LeaseLost`` if the lease lapsed mid-cycle, and whatever the platform, Kafka or
        MongoDB raised; the cursor then stays at the last acknowledged page.
        """
        if not await self._hold():
            return None
        progress = await self._start()
        while progress.page is not None:
            page = await self._fetch(progress)
            await self._publish(page, progress)
            if not await self._hold():
                raise LeaseLost(self.target.key)
            await self._save(page, progress)
        log.info(
            "poll_cycle_done", cursor=self.target.key, pages=progress.pages, published=progress.published
        )
        return CycleReport(progress.pages, progress.published, progress.position)

    async def release(self) -> None:
        """Give the lease up (at shutdown), so another replica takes over without waiting for the TTL."""
        await self._leases.release(self._lease_name, self._holder)

    @property
    def _lease_name(self) -> str:
        return f"poll:{self.target.key}"

    async def _hold(self) -> bool:
        return await self._leases.acquire(
            self._lease_name, self._holder, ttl=self._config.lease_ttl, now=self._clock()
        )

    async def _start(self) -> _Progress:
        cursor = await self._cursors.load(self.target.key)
        position = cursor.position if cursor else self._clock() - self._config.initial_lookback
        since = position - self._config.overlap
        resume = _resume_point(cursor)
        seen = dict(cursor.published) if cursor else {}
        if resume is None:
            return _Progress(position, since, ChangeCursor(since=since), None, seen=seen)
        log.info("poll_resumed", cursor=self.target.key)
        return _Progress(position, since, resume.page, resume.high_water, resumed=True, seen=seen)

    async def _fetch(self, progress: _Progress) -> ChangePage:
        assert progress.page is not None  # noqa: S101 - the loop condition
        try:
            return await self._connector.changed_since(self.target.entity_type, progress.page)
        except PERMANENT_ERRORS as error:
            if not progress.resumed:
                raise
            # A stale continuation (an expired page token): start the result set again.
            log.warning("poll_resume_point_refused", cursor=self.target.key, error=describe(error))
            progress.page, progress.high_water, progress.resumed = (
                ChangeCursor(since=progress.since),
                None,
                False,
            )
            return await self._connector.changed_since(self.target.entity_type, progress.page)

    async def _publish(self, page: ChangePage, progress: _Progress) -> None:
        provenance = Provenance(surface=Surface.POLL, observed_at=self._clock())
        fresh = [
            record
            for record in page.records
            if record.source_updated_at() >= progress.since
            and progress.seen.get(record.external_id()) != record.source_updated_at()
        ]
        messages: list[AnyMessage] = [
            observe(self.target.system, self.target.object_type, record, provenance) for record in fresh
        ]
        await self._publisher.publish_all(messages)
        progress.seen.update({record.external_id(): record.source_updated_at() for record in fresh})
        progress.pages += 1
        progress.published += len(messages)
        if page.high_water is not None:
            progress.high_water = max(progress.high_water or page.high_water, page.high_water)

    async def _save(self, page: ChangePage, progress: _Progress) -> None:
        progress.page = page.next_cursor
        token = None
        if page.next_cursor is not None:
            token = ResumePoint(page=page.next_cursor, high_water=progress.high_water).model_dump_json()
        elif progress.high_water is not None:
            progress.position = max(progress.position, progress.high_water)
        # Only what the next cycle's overlap will list again is worth remembering.
        horizon = max(progress.position, progress.high_water or progress.position) - self._config.overlap
        cursor = PollCursor(
            key=self.target.key,
            position=progress.position,
            token=token,
            updated_at=self._clock(),
            published={key: at for key, at in progress.seen.items() if at >= horizon},
        )
        await self._cursors.save(cursor)


def _resume_point(cursor: PollCursor | None) -> ResumePoint | None:
    if cursor is None or cursor.token is None:
        return None
    try:
        return ResumePoint.model_validate_json(cursor.token)
    except ValidationError:
        log.warning("poll_token_unreadable", cursor=cursor.key)
        return None
