"""What an approved sync command does: a discriminated union on ``kind``.

These are decisions already taken (by an operator or an auto-approve rule), unlike the findings'
``SuggestedAction`` which are proposals. Actions that name no entity act on the command's
``entity_id``.
"""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.core.events.envelope import MessageId
from shared.core.model import ExternalRef, System

FieldNames = Annotated[tuple[str, ...], Field(min_length=1)]


def _distinct_systems(source: System, target: System) -> None:
    if source is target:
        raise ValueError("source and target must be different systems")


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class OneDirectionSync(_Action):
    """Copy ``fields`` from ``source`` to ``target``."""

    kind: Literal["one_direction"] = "one_direction"
    source: System
    target: System
    fields: FieldNames

    @model_validator(mode="after")
    def _source_is_not_target(self) -> Self:
        _distinct_systems(self.source, self.target)
        return self


class PolicySync(_Action):
    """Make ``fields`` agree in every linked system, each field's owner policy choosing the winner."""

    kind: Literal["by_policy"] = "by_policy"
    fields: FieldNames


class PerFieldSync(_Action):
    """The operator chose, field by field, which system's value wins."""

    kind: Literal["per_field"] = "per_field"
    choices: Annotated[dict[str, System], Field(min_length=1)]


class CreateMissing(_Action):
    """Create the absent representation in ``target`` from the record in ``source``."""

    kind: Literal["create_missing"] = "create_missing"
    source: System
    target: System

    @model_validator(mode="after")
    def _source_is_not_target(self) -> Self:
        _distinct_systems(self.source, self.target)
        return self


class LinkRecord(_Action):
    """Link ``ref`` to the command's entity (a matching proposal accepted)."""

    kind: Literal["link"] = "link"
    ref: ExternalRef


class UnlinkRecord(_Action):
    """Detach ``ref`` from the command's entity (a wrong link)."""

    kind: Literal["unlink"] = "unlink"
    ref: ExternalRef


class UndoCommand(_Action):
    """Restore the before-images written by an earlier command."""

    kind: Literal["undo"] = "undo"
    of_command_id: MessageId


SyncAction = Annotated[
    OneDirectionSync | PolicySync | PerFieldSync | CreateMissing | LinkRecord | UnlinkRecord | UndoCommand,
    Field(discriminator="kind"),
]
"""One approved action, discriminated by ``kind``."""

__all__ = [
    "CreateMissing",
    "LinkRecord",
    "OneDirectionSync",
    "PerFieldSync",
    "PolicySync",
    "SyncAction",
    "UndoCommand",
    "UnlinkRecord",
]
