"""Sync commands as the dashboard publishes them for an operator's link decisions (and one other)."""

from datetime import datetime

from shared.core.events import (
    LinkRecord,
    OneDirectionSync,
    SyncAction,
    SyncCommand,
    UnlinkRecord,
    first_in_chain,
)
from shared.core.model import EntityId, EntityType, ExternalRef, System


def command(entity_id: EntityId, action: SyncAction, *, command_id: str, at: datetime) -> SyncCommand:
    """An operator-approved command for ``entity_id`` (a customer) with a random message id."""
    return SyncCommand(
        **first_in_chain(producer="dashboard", produced_at=at),
        command_id=command_id, idempotency_key=f"idem-{command_id}", entity_id=entity_id,
        entity_type=EntityType.CUSTOMER, dimension="customer_presence", action=action,
        approved_by="operator:grace", approved_at=at,
    )  # fmt: skip


def link_command(entity_id: EntityId, ref: ExternalRef, *, command_id: str, at: datetime) -> SyncCommand:
    return command(entity_id, LinkRecord(ref=ref), command_id=command_id, at=at)


def unlink_command(entity_id: EntityId, ref: ExternalRef, *, command_id: str, at: datetime) -> SyncCommand:
    return command(entity_id, UnlinkRecord(ref=ref), command_id=command_id, at=at)


def field_sync_command(entity_id: EntityId, *, command_id: str, at: datetime) -> SyncCommand:
    action = OneDirectionSync(source=System.HUBSPOT, target=System.SHOPIFY, fields=("email",))
    return command(entity_id, action, command_id=command_id, at=at)
