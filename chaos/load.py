"""The steady load of a chaos run, three streams at once until ``stop`` is set:

- webhook edits: a customer's last name changed in one platform, announced by the platform's webhook;
- silent edits: the same without any webhook (passive drift), which only polling can find;
- approved commands: a HubSpot last name changed, then a ``SyncCommand`` copying it to NetSuite, as the
  dashboard would publish it after an operator's approval (what the approver saw is the precondition).

The three streams use disjoint customers, and each stream cycles through its records, so one record is
edited at most every few tens of seconds (Shopify and NetSuite versions have one-second resolution). Every
edit the sandbox confirmed is logged with the version it produced; an edit refused while the database is
down is counted as an error and not logged (it did not happen).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import structlog
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from chaos.ground_truth import SentEdit
from chaos.sandbox import SandboxAdmin, customer_key, record_state
from shared.adapters.kafka import KafkaMessagePublisher
from shared.core.events import OneDirectionSync, SeenRecord, SyncCommand, first_in_chain, new_message_id
from shared.core.model import EntityId, EntityType, ExternalRef, System

log = structlog.get_logger(__name__)
Document = dict[str, object]
Target = tuple[System, str]
PUBLISH_DEADLINE_S = 180.0


@dataclass(frozen=True)
class Rates:
    """Per-second rates of the three streams."""

    webhook_edits: float = 1.0
    silent_edits: float = 0.25
    commands: float = 0.15


@dataclass(frozen=True)
class Pools:
    """The customers of each stream, as (platform, record id) targets; command pairs are (HubSpot, NetSuite)."""

    webhook: tuple[Target, ...]
    silent: tuple[Target, ...]
    command_pairs: tuple[tuple[str, str], ...]

    @classmethod
    def from_report(cls, report: dict[str, object], command_customers: int, seed: int) -> Pools:
        """Split the scenario's customers present on all three platforms between the streams."""
        customers = report.get("customers")
        complete = [
            records
            for entry in (customers if isinstance(customers, list) else [])
            if isinstance(entry, dict)
            and isinstance(records := entry.get("records"), dict)
            and all(s.value in records for s in System)
        ]
        random.Random(seed).shuffle(complete)  # noqa: S311 - a reproducible split, not security
        commands, rest = complete[:command_customers], complete[command_customers:]
        webhook, silent = rest[: len(rest) * 3 // 5], rest[len(rest) * 3 // 5 :]

        def targets(group: Sequence[dict[str, object]]) -> tuple[Target, ...]:
            return tuple((s, str(r[s.value])) for r in group for s in System)

        pairs = tuple((str(r["hubspot"]), str(r["netsuite"])) for r in commands)
        return cls(webhook=targets(webhook), silent=targets(silent), command_pairs=pairs)


@dataclass
class LoadLog:
    """What the load did: confirmed edits, records it touched, commands it published."""

    sent: list[SentEdit] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)
    skipped_commands: int = 0
    errors: Counter[str] = field(default_factory=Counter)


class Load:
    """Runs the three streams against one deployment (see the module docstring)."""

    def __init__(
        self, admin: SandboxAdmin, *, kafka: str, mongo_uri: str, database: str, prefix: str, pools: Pools
    ) -> None:
        self._admin = admin
        self._kafka = kafka
        self._mongo: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, serverSelectionTimeoutMS=3000)
        self._links = self._mongo[database]["links"]
        self._prefix = prefix
        self._pools = pools
        self.log = LoadLog()

    async def close(self) -> None:
        await self._mongo.close()

    async def run(self, stop: asyncio.Event, rates: Rates) -> None:
        """All three streams until ``stop`` is set."""
        broker = KafkaBroker(self._kafka, client_id="chaos-load", enable_idempotence=True, acks="all")
        await broker.connect()
        try:
            publisher = KafkaMessagePublisher(broker, prefix=self._prefix)
            await asyncio.gather(
                self._edits(stop, self._pools.webhook, rates.webhook_edits, emit=True),
                self._edits(stop, self._pools.silent, rates.silent_edits, emit=False),
                self._commands(stop, rates.commands, publisher),
            )
        finally:
            await broker.stop()

    async def _edits(
        self, stop: asyncio.Event, targets: Sequence[Target], rate: float, *, emit: bool
    ) -> None:
        stream = "webhook" if emit else "silent"
        for number, (system, record_id) in enumerate(itertools.cycle(targets)):
            if stop.is_set() or not targets:
                return
            await self._edit(system, record_id, f"{stream.title()}{number}", emit=emit, stream=stream)
            await _pause(stop, 1.0 / rate)

    async def _edit(self, system: System, record_id: str, marker: str, *, emit: bool, stream: str) -> bool:
        key = customer_key(system, record_id)
        try:
            state = await self._admin.edit_marker(system, record_id, marker, emit=emit)
        except httpx.HTTPError as error:
            self.log.errors[f"{stream} edit: {type(error).__name__}"] += 1
            return False
        self.log.sent.append(SentEdit(key=key, version=state.version, emitted=emit))
        self.log.touched.add(key)
        return True

    async def _commands(self, stop: asyncio.Event, rate: float, publisher: KafkaMessagePublisher) -> None:
        for number, (hubspot_id, netsuite_id) in enumerate(self._pools.command_pairs):
            if stop.is_set():
                return
            command = await self._approve(number, hubspot_id, netsuite_id)
            if command is None:
                self.log.skipped_commands += 1
            else:
                self.log.issued.append(command.command_id)
                await self._publish(publisher, command)
            await _pause(stop, 1.0 / rate)

    async def _approve(self, number: int, hubspot_id: str, netsuite_id: str) -> SyncCommand | None:
        """Change the HubSpot last name, then approve copying it to NetSuite (None if that failed)."""
        if not await self._edit(System.HUBSPOT, hubspot_id, f"Command{number}", emit=True, stream="command"):
            return None
        self.log.touched.add(customer_key(System.NETSUITE, netsuite_id))
        try:
            entity_id = await self._entity_of(customer_key(System.HUBSPOT, hubspot_id))
            seen = (
                await self._seen(System.HUBSPOT, hubspot_id),
                await self._seen(System.NETSUITE, netsuite_id),
            )
        except (httpx.HTTPError, PyMongoError) as error:
            self.log.errors[f"command approval: {type(error).__name__}"] += 1
            return None
        if entity_id is None:
            self.log.errors["command approval: HubSpot contact not linked yet"] += 1
            return None
        return _sync_command(entity_id, seen)

    async def linked_count(self, ref_keys: Sequence[str]) -> int:
        """How many of ``ref_keys`` the checker has linked to an entity."""
        return await self._links.count_documents({"_id": {"$in": list(ref_keys)}})

    async def _entity_of(self, ref_key: str) -> str | None:
        document = await self._links.find_one({"_id": ref_key}, {"entity_id": 1})
        return None if document is None else str(document["entity_id"])

    async def _seen(self, system: System, record_id: str) -> SeenRecord:
        state = record_state(system, await self._admin.customer(system, record_id))
        ref = ExternalRef(system=system, object_type=customer_key(system, record_id).split(":")[1],
                          external_id=record_id)  # fmt: skip
        return SeenRecord(ref=ref, source_version=state.version, values={"last_name": state.marker})

    async def _publish(self, publisher: KafkaMessagePublisher, command: SyncCommand) -> None:
        """Publish until Kafka acknowledges (the broker may be restarting); the syncer dedupes by id."""
        deadline = asyncio.get_running_loop().time() + PUBLISH_DEADLINE_S
        while True:
            try:
                async with asyncio.timeout(15):
                    await publisher.publish(command)
                return
            except Exception as error:  # noqa: BLE001 - any broker failure is retried until the deadline
                self.log.errors[f"command publish: {type(error).__name__}"] += 1
                if asyncio.get_running_loop().time() > deadline:
                    return
                await asyncio.sleep(1.0)


def _sync_command(entity_id: str, seen: tuple[SeenRecord, SeenRecord]) -> SyncCommand:
    command_id = new_message_id()
    now = datetime.now(UTC)
    return SyncCommand(
        **first_in_chain(producer="dashboard", produced_at=now, message_id=command_id),
        command_id=command_id,
        idempotency_key=new_message_id(),
        entity_id=EntityId(entity_id),
        entity_type=EntityType.CUSTOMER,
        dimension="customer_contact",
        action=OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=("last_name",)),
        approved_by="operator:chaos",
        approved_at=now,
        reason="chaos run: HubSpot owns the last name",
        seen=seen,
    )


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return
