"""What a sync plan says: the writes it would make, what must exist first, what else a write sets off.

Values only; :mod:`shared.core.sync.plan` builds them. The dashboard shows a plan before approval and
the syncer executes the same plan, so what an operator previews is what is written.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, JsonValue

from shared.core.checks.compare import normalize_text, render
from shared.core.events import FieldImage
from shared.core.model import Customer, EntityId, EntityType, ExternalRef, Order, Product, System
from shared.core.snapshot import CustomerSnapshot, OrderSnapshot, ProductSnapshot

AnySnapshot = CustomerSnapshot | ProductSnapshot | OrderSnapshot
AnyView = Customer | Product | Order
JsonValues = dict[str, JsonValue]
"""Canonical field name -> the canonical value as JSON (exact, unlike the rendered ``FieldImage``)."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldChange(_Value):
    """One field of one record: its value now and the value the write sets (rendered as text)."""

    field: str
    old: str | None
    new: str | None


class Reference(_Value):
    """A record a create's body points at: the order's customer, or the item of line ``line``.

    ``ref`` when the target already holds it; else ``write_index``, the earlier write of the same
    plan that creates it (its record is known once that write is done).
    """

    role: Literal["customer", "item"]
    line: int | None = None
    ref: ExternalRef | None = None
    write_index: int | None = None


class PlannedWrite(_Value):
    """One platform write: an update of ``ref`` or the creation of a record in ``system``.

    ``view`` is the canonical record to write (the mapping turns it into the platform's body);
    ``before_values`` are the exact old values, kept so that an undo can write them back.
    ``base_version`` is the target's version the plan was made against (None for a create).
    """

    operation: Literal["update", "create"]
    system: System
    entity_type: EntityType
    ref: ExternalRef | None
    changes: tuple[FieldChange, ...]
    view: AnyView
    before_values: JsonValues
    base_version: str | None
    policy_rules: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """The canonical fields written."""
        return tuple(change.field for change in self.changes)

    @property
    def before(self) -> FieldImage:
        return {change.field: change.old for change in self.changes}

    @property
    def expected(self) -> FieldImage:
        """The post-state the record must show once the write took effect."""
        return {change.field: change.new for change in self.changes}


class RequiredRecord(_Value):
    """A record that must exist in ``system`` before the write (``present``: it already does)."""

    system: System
    entity_type: EntityType
    entity_id: EntityId | None
    present: bool
    reason: str


class SideEffect(_Value):
    """Something the platform does by itself when Concord writes (workflows, customer emails)."""

    system: System
    description: str


class ProblemKind(StrEnum):
    STALE = "stale"
    """A record changed since the approver saw it: nothing may be written."""
    INVALID = "invalid"
    """The command cannot be carried out as approved (a field the target cannot take, no such record)."""
    MISSING_DEPENDENCY = "missing_dependency"


class PlanProblem(_Value):
    kind: ProblemKind
    message: str


class SyncPlan(_Value):
    """Exactly what a command would write where, in order, and why it may not be executable."""

    writes: tuple[PlannedWrite, ...] = ()
    requires: tuple[RequiredRecord, ...] = ()
    side_effects: tuple[SideEffect, ...] = ()
    problems: tuple[PlanProblem, ...] = ()

    @property
    def stale(self) -> bool:
        return any(problem.kind is ProblemKind.STALE for problem in self.problems)

    @property
    def executable(self) -> bool:
        return not self.problems

    def explain(self) -> str:
        """The problems as one sentence (empty for an executable plan)."""
        return "; ".join(problem.message for problem in self.problems)


def image_of(view: AnyView, fields: tuple[str, ...] | frozenset[str]) -> FieldImage:
    """``fields`` of ``view`` rendered as text, as commands and audit trails carry them."""
    return {name: render(getattr(view, name)) for name in sorted(fields)}


def same_text(left: str | None, right: str | None) -> bool:
    """Whether two rendered values agree, ignoring case and whitespace (platforms reformat text)."""
    if left is None or right is None:
        return left is right
    return normalize_text(left) == normalize_text(right)


def shows(image: Mapping[str, str | None], expected: Mapping[str, str | None]) -> bool:
    """Whether ``image`` holds every value of ``expected``."""
    return all(name in image and same_text(image[name], value) for name, value in expected.items())


__all__ = [
    "AnySnapshot",
    "AnyView",
    "FieldChange",
    "JsonValues",
    "PlanProblem",
    "PlannedWrite",
    "ProblemKind",
    "Reference",
    "RequiredRecord",
    "SideEffect",
    "SyncPlan",
    "image_of",
    "same_text",
    "shows",
]
