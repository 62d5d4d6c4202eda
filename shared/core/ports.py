"""Ports: the small interfaces through which use cases reach storage and messaging.

Adapters in ``shared/adapters`` implement them against MongoDB and Kafka; ``shared/core/testing``
holds in-memory fakes. One contract suite (``tests/contract/test_ports.py``) runs against both, so
the fakes cannot drift from the real thing.
"""

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.core.events import AnyMessage
from shared.core.model import EntityId, EntityType, ExternalRef
from shared.core.verification import PulseSweep, VerificationState


class PollCursor(BaseModel):
    """How far a poller has read one platform resource.

    ``position`` is the last-modified instant up to which every change has been published;
    ``token`` is the platform's opaque continuation (a HubSpot ``after``, a Shopify ``page_info``,
    a NetSuite offset) when a cycle stopped inside a result set. ``published`` maps the records
    already published inside the overlap window (record id -> its last-modified instant), so the
    overlap re-read of the next cycle catches late arrivals without re-publishing what is unchanged.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    position: AwareDatetime
    token: str | None = None
    updated_at: AwareDatetime
    published: dict[str, AwareDatetime] = Field(default_factory=dict)


class ExpectedWrite(BaseModel):
    """One write Concord made (or is about to make) to a platform record, as the syncer logged it.

    ``expected`` holds the canonical field values the record must show once the write took
    effect (rendered as text, ``None`` for empty), so an observation can be compared with it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    write_id: str
    command_id: str
    ref: ExternalRef
    entity_id: EntityId
    expected: dict[str, str | None]
    provenance_tag: str
    written_at: AwareDatetime
    resulting_version: str | None = None
    verified_at: AwareDatetime | None = None


class CursorStore(Protocol):
    """Durable poll cursors, one per (platform account, resource)."""

    async def load(self, key: str) -> PollCursor | None:
        """The saved cursor, or None before the first cycle."""
        ...

    async def save(self, cursor: PollCursor) -> None:
        """Persist ``cursor``; called only after the page it covers is acknowledged by Kafka."""
        ...


class LeaseStore(Protocol):
    """Named leases: at most one live holder per name; a lease lapses if not renewed in time."""

    async def acquire(self, name: str, holder: str, *, ttl: timedelta, now: datetime) -> bool:
        """Take or renew the lease. True if ``holder`` holds it until ``now + ttl`` at least; one
        not renewed lapses within ``2 * ttl`` (every holder of a name uses one ``ttl``)."""
        ...

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up early (no-op if ``holder`` does not hold it)."""
        ...


class ProcessedLedger(Protocol):
    """Which consumer applied which messages (``processed_messages``), checked and written per batch:
    the basis of idempotent effects on an at-least-once bus."""

    async def already_processed(self, consumer: str, message_ids: Collection[str]) -> frozenset[str]:
        """The subset of ``message_ids`` that ``consumer`` recorded before."""
        ...

    async def mark_processed(self, consumer: str, message_ids: Collection[str], *, at: datetime) -> None:
        """Record them; ids already recorded are left as they are."""
        ...


class MessagePublisher(Protocol):
    """Publishes typed messages to their topics; returns only once the broker acknowledged them."""

    async def publish(self, message: AnyMessage) -> None:
        """Publish one message, keyed and routed by the core's topic table."""
        ...

    async def publish_all(self, messages: list[AnyMessage]) -> None:
        """Publish several; returns when every one is acknowledged (raises if any is not)."""
        ...


class CheckStateStore(Protocol):
    """Verification state per (entity, dimension) (``check_state``), written by the checker only.

    The evaluate stage records outcomes and changes; the pulse scheduler reads what is due and
    notes what it asked to refresh. Operators' priority overrides are not kept here (see
    :class:`CheckPriorities`): a state's ``priority_override`` is neither stored nor loaded.
    """

    async def load(self, entity_id: EntityId, dimension: str) -> VerificationState | None:
        """The state of one pair, or None if it was never recorded."""
        ...

    async def save_all(self, states: list[tuple[EntityType, VerificationState]]) -> None:
        """Upsert several states in one round trip (the evaluate stage writes per batch)."""
        ...

    async def candidates(self, *, now: datetime, limit: int) -> list[tuple[EntityType, VerificationState]]:
        """Up to ``limit`` pairs that may be due at ``now``, oldest verification first.

        A pre-selection by index; the scheduler ranks them with ``shared.core.verification``.
        Pairs asked to refresh recently (see :meth:`mark_requested`) are left out until that
        request's answer is overdue.
        """
        ...

    async def mark_requested(
        self, entity_id: EntityId, dimension: str, *, at: datetime, until: datetime
    ) -> None:
        """Note that a refresh was requested at ``at``; skip the pair in ``candidates`` until ``until``."""
        ...


class CheckPriorities(Protocol):
    """Check priorities operators set per (entity, dimension) (``check_priorities``).

    The dashboard is the only writer and the pulse scheduler reads them when it ranks due pairs.
    They live apart from ``check_state`` so that an operator's raise and the evaluate stage's
    saves of the same pair never overwrite each other.
    """

    async def set(self, entity_id: EntityId, dimension: str, priority: float | None) -> None:
        """Set the pair's priority (greater than 0); ``None`` returns it to the policy's."""
        ...

    async def raised(self) -> dict[tuple[EntityId, str], float]:
        """Every pair with an operator's priority (a small set: only pairs someone raised)."""
        ...


class PulseSweepLog(Protocol):
    """The pulse's latest sweep (``pulse_sweeps``): written by the lease holder, read by the dashboard."""

    async def record(self, sweep: PulseSweep) -> None:
        """Keep ``sweep`` as the latest (replacing the one before)."""
        ...

    async def latest(self) -> PulseSweep | None:
        """The latest sweep recorded, or None before the first."""
        ...


class SyncWriteLog(Protocol):
    """What Concord itself wrote to a platform and expects to see come back (``sync_writes``).

    The syncer records every write *before* it is made (expected post-state, provenance tag) and
    confirms it after; the checker looks writes up to recognise echoes of them.
    """

    async def recent_for(self, ref: ExternalRef, *, since: datetime) -> list[ExpectedWrite]:
        """Writes to ``ref`` recorded at or after ``since``, newest first."""
        ...

    async def recent_for_many(
        self, refs: Collection[ExternalRef], *, since: datetime
    ) -> dict[str, list[ExpectedWrite]]:
        """:meth:`recent_for` of several records in one read, by ``ExternalRef.key``; a record
        without any is absent."""
        ...

    async def mark_verified(self, write_id: str, *, at: datetime, observation_id: str) -> None:
        """Record that the platform showed the write's expected post-state."""
        ...
