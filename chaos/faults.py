"""The faults of a chaos run, one after another while the load runs, each logged on a timeline.

In turn: SIGKILL ingest, the checker and the syncer (each down a few seconds, then started again from its
saved spec); every platform answering 503 for a while, then 429 with ``Retry-After``; a restart of the
run's own Kafka broker; a SIGKILL and restart of its own FerretDB. After each fault every service is
checked: one that exited by itself is a finding (``unexpected_exits``) and is started again so the run
can go on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from chaos.infra import OwnInfra
from chaos.sandbox import SandboxAdmin
from infra.processes import Supervisor
from shared.core.model import System

READY_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class FaultPlan:
    """How long each fault lasts and the pause between faults (seconds)."""

    down_seconds: float = 3.0
    platform_fault_seconds: float = 15.0
    gap_seconds: float = 12.0


@dataclass
class Timeline:
    """What happened when, relative to the start of the load."""

    started: float = field(default_factory=time.monotonic)
    entries: list[dict[str, object]] = field(default_factory=list)
    unexpected_exits: list[str] = field(default_factory=list)

    def note(self, event: str, **details: object) -> None:
        at = round(time.monotonic() - self.started, 1)
        self.entries.append({"t": at, "event": event, **details})
        print(f"  [{at:6.1f}s] {event}" + "".join(f" {k}={v}" for k, v in details.items()), flush=True)


class FaultSchedule:
    """Injects the faults in order (see the module docstring)."""

    def __init__(
        self, supervisor: Supervisor, infra: OwnInfra, admin: SandboxAdmin, services: tuple[str, ...]
    ) -> None:
        self._supervisor = supervisor
        self._infra = infra
        self._admin = admin
        self._services = services

    async def run(self, plan: FaultPlan, timeline: Timeline) -> None:
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            *((f"SIGKILL {name}", self._bounce(name, plan)) for name in self._services),
            ("platforms answer 503", self._platform_fault({"outage": True}, plan)),
            ("platforms answer 429", self._platform_fault(
                {"rate_limit_storm": {"seconds": plan.platform_fault_seconds, "retry_after": 1.0}}, plan)),
            ("restart Kafka", lambda: asyncio.to_thread(self._infra.restart_kafka)),
            ("SIGKILL and restart FerretDB", lambda: asyncio.to_thread(self._infra.restart_mongo)),
        ]  # fmt: skip
        for event, step in steps:
            await asyncio.sleep(plan.gap_seconds)
            timeline.note(f"{event}: begin")
            await step()
            timeline.note(f"{event}: done")
            await self.revive_exited(timeline)

    def _bounce(self, name: str, plan: FaultPlan) -> Callable[[], Awaitable[None]]:
        async def bounce() -> None:
            await asyncio.to_thread(self._supervisor.kill, name)
            await asyncio.sleep(plan.down_seconds)
            spec = self._supervisor.spec(name)
            await asyncio.to_thread(self._supervisor.start, spec, timeout=READY_TIMEOUT_S)

        return bounce

    def _platform_fault(self, faults: dict[str, object], plan: FaultPlan) -> Callable[[], Awaitable[None]]:
        async def fault() -> None:
            await self._admin.set_faults(dict.fromkeys(System, faults))
            await asyncio.sleep(plan.platform_fault_seconds)
            await self._admin.set_faults({})

        return fault

    async def revive_exited(self, timeline: Timeline) -> None:
        """Start again any service that exited without being told to; each is recorded as a finding."""
        for name in self._services:
            if self._supervisor.pid(name) is None:
                log = self._supervisor.log_path(name)
                timeline.unexpected_exits.append(f"{name} (see {log})")
                timeline.note("service exited by itself; starting it again", service=name)
                await asyncio.to_thread(
                    self._supervisor.start, self._supervisor.spec(name), timeout=READY_TIMEOUT_S
                )
