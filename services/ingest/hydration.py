"""Hydration: a micro-batch of raw webhook notifications becomes full observations and deletions.

Each notification is interpreted (``notifications.interpret``); the records that thin notifications
name are read with one batch read per (platform, entity type); the result keeps every record's
messages in notification order. Several notifications about one record in the same batch yield one
observation (one read), placed where the last of them was, caused by it: its id derives from the
record's version, so the same version read again (a redelivered webhook, the next batch) gets the
same id and is recognisable downstream. A record that no longer exists when read yields nothing:
its deletion event follows.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.ingest.notifications import Fetch, Meaning, interpret
from services.ingest.observations import Provenance, observe
from services.ingest.reading import Connectors, Outcome, describe, read_records
from shared.core.errors import InvalidInput
from shared.core.events import RawNotificationReceived
from shared.core.model import EntityType, ExternalRef, Surface, System
from shared.core.platforms import WireRecord


@dataclass(frozen=True)
class _Planned:
    source: RawNotificationReceived
    meaning: Meaning


class Hydrator:
    """Turns raw notifications into observations, reading thin ones from their platform."""

    def __init__(self, connectors: Connectors, *, clock: Callable[[], datetime]) -> None:
        self._connectors = connectors
        self._clock = clock

    async def hydrate(self, notifications: Sequence[RawNotificationReceived]) -> Outcome:
        """The messages for ``notifications``; raises on transient platform failures (retry the batch)."""
        now = self._clock()
        outcome = Outcome()
        plan = self._plan(notifications, now, outcome)
        records = await self._read(plan, outcome)
        # A record read now is dated by the read, not by when the batch began: a poll that read the
        # same (whole-second) version in between must not outrank this later read.
        read_at = self._clock()
        last_fetch = {
            item.meaning.ref.key: index for index, item in enumerate(plan) if isinstance(item.meaning, Fetch)
        }
        for index, item in enumerate(plan):
            meaning = item.meaning
            if not isinstance(meaning, Fetch):
                outcome.messages.append(meaning)
            elif last_fetch[meaning.ref.key] == index and item.source.message_id not in outcome.failed:
                record = records.get(meaning.ref.key)
                if record is not None:
                    provenance = Provenance(Surface.WEBHOOK, read_at, item.source, meaning.platform_event_id)
                    outcome.messages.append(
                        observe(meaning.ref.system, meaning.ref.object_type, record, provenance)
                    )
        return outcome

    @staticmethod
    def _plan(
        notifications: Sequence[RawNotificationReceived], now: datetime, outcome: Outcome
    ) -> list[_Planned]:
        plan: list[_Planned] = []
        for raw in notifications:
            try:
                plan.extend(_Planned(raw, meaning) for meaning in interpret(raw, now=now))
            except InvalidInput as error:
                outcome.failed[raw.message_id] = describe(error)
        return plan

    async def _read(self, plan: list[_Planned], outcome: Outcome) -> dict[str, WireRecord]:
        """The records the plan's fetches name, by ref key; failed reads fail their notifications."""
        groups: dict[tuple[System, EntityType, str], dict[str, list[str]]] = {}
        for item in plan:
            if isinstance(item.meaning, Fetch):
                ref = item.meaning.ref
                ids = groups.setdefault((ref.system, item.meaning.entity_type, ref.object_type), {})
                ids.setdefault(ref.external_id, []).append(item.source.message_id)
        found: dict[str, WireRecord] = {}
        for (system, entity_type, object_type), ids in groups.items():
            result = await read_records(self._connectors, system, entity_type, list(ids))
            for record_id, record in result.found.items():
                found[ExternalRef(system=system, object_type=object_type, external_id=record_id).key] = record
            for record_id, reason in result.failed.items():
                outcome.failed.update(dict.fromkeys(ids[record_id], reason))
        return found
