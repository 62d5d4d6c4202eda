"""The connector port every platform implements, and the values it exchanges.

A connector reads, lists by change, updates and creates one platform's customers, products and
orders, always returning the core's typed wire records (``shared.core.platforms``): a body that
does not parse is ``MalformedResponse``, never a half-filled record. Every failure is one of the
typed errors of ``shared.core.errors`` carrying the platform's own error text in ``details``.

The port lives here rather than in ``shared/core/ports.py`` because its values hold adapter
notions (caller priority for the shared API budget); the lead may move it.
"""

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.adapters.budget import Priority
from shared.core.model import EntityType, ExternalRef, System
from shared.core.platforms.base import WireObject, WireRecord


class CallBudget(Protocol):
    """What a connector needs of the shared API budget (``shared.adapters.budget.ApiBudget``)."""

    def use(self, priority: Priority, operation: str = "default") -> AbstractAsyncContextManager[None]:
        """Hold budget for one call; raises ``RateLimited`` if it will not free up in time."""
        ...

    def record_throttled(self) -> None:
        """Count a 429 the platform answered despite the budget."""
        ...


class ChangeCursor(BaseModel):
    """Where a change listing resumes: records modified at or after ``since``, from ``page``.

    ``page`` is the platform's opaque paging token (HubSpot ``after``, Shopify ``page_info``,
    NetSuite ``offset``); ``None`` starts a new query at ``since``. Store it with :meth:`encode`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    since: AwareDatetime
    page: str | None = None

    def encode(self) -> str:
        """The cursor as a string to keep in a durable cursor store."""
        return self.model_dump_json()

    @classmethod
    def decode(cls, text: str) -> "ChangeCursor":
        """The cursor :meth:`encode` wrote; raises ``pydantic.ValidationError`` on anything else."""
        return cls.model_validate(json.loads(text))


@dataclass(frozen=True)
class ChangePage:
    """One page of changed records, in the platform's last-modified order where it has one.

    ``next_cursor`` is ``None`` on the last page. ``high_water`` is the latest modification time
    in this page: a poller's next ``since`` is the highest one seen, minus an overlap window
    (records can surface late), and the poller dedupes by id and version.
    """

    records: tuple[WireRecord, ...]
    next_cursor: ChangeCursor | None
    high_water: datetime | None


def new_tag() -> str:
    """A fresh provenance tag for one write: ``concord-`` and 32 hex characters."""
    return f"concord-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class WriteReceipt:
    """What Concord keeps of its own write, to recognise it when it comes back as an event.

    ``carried_by`` says where the tag travels: a record field (``property:<name>``,
    ``metafield:concord.sync_tag``, ``field:<name>``) or ``concord-side`` (kept here only).
    Whatever carries the tag, an observation of ``ref`` at ``source_version`` is Concord's echo.
    ``request_id`` is the platform's id of the request where it returns one, else the tag Concord
    sent in ``X-Request-Id``.
    """

    ref: ExternalRef
    tag: str
    carried_by: str
    request_id: str
    source_version: str
    written_at: datetime


@dataclass(frozen=True)
class WriteResult:
    """The record as the platform holds it after the write, and the receipt of the write."""

    record: WireRecord
    receipt: WriteReceipt


class PlatformConnector(Protocol):
    """One platform account's customers, products and orders (``EntityType``) over its HTTP API.

    Ids are the platform's record ids as strings (for Shopify products: the variant id, Concord's
    product being one variant). Reads default to background priority, writes to operator.
    """

    @property
    def system(self) -> System: ...

    async def read(
        self, entity_type: EntityType, external_id: str, *, priority: Priority = Priority.BACKGROUND
    ) -> WireRecord:
        """One record; raises ``NotFound`` if it does not exist."""
        ...

    async def read_many(
        self,
        entity_type: EntityType,
        external_ids: Sequence[str],
        *,
        priority: Priority = Priority.BACKGROUND,
    ) -> list[WireRecord]:
        """The records that exist among ``external_ids`` (missing ones are left out), in any order."""
        ...

    async def changed_since(
        self, entity_type: EntityType, cursor: ChangeCursor, *, priority: Priority = Priority.BACKGROUND
    ) -> ChangePage:
        """One page of records modified at or after ``cursor.since``."""
        ...

    async def update(
        self,
        entity_type: EntityType,
        external_id: str,
        body: WireObject,
        *,
        tag: str,
        priority: Priority = Priority.OPERATOR,
    ) -> WriteResult:
        """Apply a mapping's patch body (``to_platform_patch``) and read the record back."""
        ...

    async def create(
        self, entity_type: EntityType, body: WireObject, *, tag: str, priority: Priority = Priority.OPERATOR
    ) -> WriteResult:
        """Create a record from a mapping's create body (``to_platform_create``) and read it back."""
        ...


async def iterate_changes(
    connector: PlatformConnector,
    entity_type: EntityType,
    since: datetime,
    *,
    priority: Priority = Priority.BACKGROUND,
) -> AsyncIterator[ChangePage]:
    """Every page of records changed since ``since``, following each page's cursor to the end."""
    cursor: ChangeCursor | None = ChangeCursor(since=since)
    while cursor is not None:
        page = await connector.changed_since(entity_type, cursor, priority=priority)
        yield page
        cursor = page.next_cursor


def unsupported(system: System, entity_type: EntityType) -> ValueError:
    """The error for an entity type a connector does not hold (a programming error, not a platform one)."""
    return ValueError(f"{system} connector has no {entity_type} records")
