"""The dashboard's use cases: approve, preview, re-check, raise priority, annotate.

Every function that publishes or writes takes the signed-in user and checks the role itself, so a
viewer is refused whatever the page showed (a stale button, a crafted session).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.dashboard.auth import SignedIn
from services.dashboard.ports import DashboardPorts
from shared.core.dashboard.access import Permission, require
from shared.core.dashboard.annotations import Comment, EntityAnnotations, HeldDimension, Hold
from shared.core.dashboard.approval import build_command
from shared.core.discrepancy import Discrepancy
from shared.core.errors import InvalidInput
from shared.core.events import RefreshRequested, SyncAction, SyncCommand, first_in_chain
from shared.core.model import EntityId, Surface
from shared.core.policy import Policy
from shared.core.sync import PlanInputs, SyncPlan, plan_command
from shared.core.sync.model import AnySnapshot


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DashboardService:
    """Use cases over the ports; ``policy`` is the one the syncer plans with."""

    ports: DashboardPorts
    policy: Policy

    def preview(
        self, discrepancy: Discrepancy, action: SyncAction, current: list[AnySnapshot], user: SignedIn
    ) -> tuple[SyncCommand, SyncPlan]:
        """The command this approval would publish and the syncer's plan for it (nothing is sent)."""
        command = build_command(discrepancy, action, approved_by=user.name, current=current, now=utc_now())
        return command, plan_command(command, PlanInputs(policy=self.policy, current=current))

    async def approve(self, user: SignedIn, command: SyncCommand) -> SyncCommand:
        """Publish ``command`` (built by :meth:`preview`) as approved by ``user``; returns once Kafka
        acknowledged it. Raises ``AccessDenied`` for a viewer, ``InvalidInput`` when the command names
        another approver or its discrepancy is no longer open at the revision shown."""
        require(user.name, user.role, Permission.APPROVE)
        if command.approved_by != user.name:
            raise InvalidInput(f"the command names {command.approved_by}, not {user.name}")
        await self._require_current(command)
        await self.ports.publisher.publish(command)
        return command

    async def _require_current(self, command: SyncCommand) -> None:
        records = await self.ports.reader.entity(command.entity_id)
        open_now = [d for d in records.discrepancies if d.dimension == command.dimension and d.is_open]
        if not open_now or open_now[0].revision != command.discrepancy_revision:
            raise InvalidInput("the discrepancy changed since you looked at it: reload and review again")

    async def request_recheck(
        self, user: SignedIn, entity_id: EntityId, dimension: str | None
    ) -> RefreshRequested:
        """Ask ingest to re-read every linked record of the entity now, at operator priority (the
        checker re-evaluates what it reads)."""
        require(user.name, user.role, Permission.APPROVE)
        records = await self.ports.reader.entity(entity_id)
        refs = tuple(link.ref for link in records.links if link.merged_into is None)
        if not refs:
            raise InvalidInput(f"{entity_id} has no linked record to re-read")
        request = RefreshRequested(
            **first_in_chain(producer="dashboard", produced_at=utc_now()),
            refs=refs, reason="operator", entity_id=entity_id, dimension=dimension,
            requested_by=user.name, surface=Surface.PULSE,
        )  # fmt: skip
        await self.ports.publisher.publish(request)
        return request

    async def raise_priority(
        self, user: SignedIn, entity_id: EntityId, dimension: str, priority: float | None
    ) -> EntityAnnotations:
        """Set the pair's check priority where the pulse scheduler reads it (it orders due pairs by
        it), audited in the entity's annotations."""
        require(user.name, user.role, Permission.APPROVE)
        await self.ports.annotations.raise_priority(entity_id, dimension, priority)
        shown = None if priority is None else str(priority)
        return await self._edit(
            entity_id, lambda n: n.with_metadata(f"priority.{dimension}", shown, by=user.name, at=utc_now())
        )

    async def hold(
        self,
        user: SignedIn,
        entity_id: EntityId,
        dimension: str,
        hold: Hold,
        reason: str,
        *,
        hours: float | None,
    ) -> EntityAnnotations:
        """Ignore (``hours`` None) or snooze ``dimension`` for ``hours``; a reason is required."""
        require(user.name, user.role, Permission.APPROVE)
        if not reason.strip():
            raise InvalidInput("give a reason to ignore or snooze")
        now = utc_now()
        until = now + timedelta(hours=hours) if hold == "snoozed" and hours else None
        held = HeldDimension(hold=hold, by=user.name, at=now, reason=reason.strip(), until=until)
        return await self._edit(entity_id, lambda notes: notes.held(dimension, held))

    async def assign(
        self, user: SignedIn, entity_id: EntityId, dimension: str, operator: str | None
    ) -> EntityAnnotations:
        require(user.name, user.role, Permission.APPROVE)
        return await self._edit(
            entity_id, lambda n: n.assigned(dimension, operator, by=user.name, at=utc_now())
        )

    async def comment(
        self, user: SignedIn, entity_id: EntityId, dimension: str, text: str
    ) -> EntityAnnotations:
        require(user.name, user.role, Permission.APPROVE)
        note = Comment(at=utc_now(), by=user.name, dimension=dimension, text=text.strip())
        return await self._edit(entity_id, lambda notes: notes.commented(note))

    async def set_metadata(
        self, user: SignedIn, entity_id: EntityId, key: str, value: str | None
    ) -> EntityAnnotations:
        require(user.name, user.role, Permission.EDIT_METADATA)
        return await self._edit(entity_id, lambda n: n.with_metadata(key, value, by=user.name, at=utc_now()))

    async def _edit(
        self, entity_id: EntityId, change: Callable[[EntityAnnotations], EntityAnnotations]
    ) -> EntityAnnotations:
        notes = await self.ports.annotations.load(entity_id)
        return await self.ports.annotations.save(change(notes))


__all__ = ["DashboardService", "utc_now"]
