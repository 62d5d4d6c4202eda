"""What an order needs in the target before it can be created there: its customer and its lines' items.

The caller (the syncer, the dashboard) looks each one up and passes what it found as
:class:`RelatedRecord`: the target's record when the entity is already there, else the source
platform's record to create it from. :func:`order_dependencies` turns that into the creates that must
run first, in order (customer, then items in line order), and the references the order's own create
carries (an existing target record, or the earlier write that creates it). A dependency found in
neither place is a ``missing_dependency`` problem: nothing is written.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.core.mapping import mapping_for
from shared.core.matching.normalize import normalize_email, normalize_sku
from shared.core.model import EntityId, EntityType, ExternalRef, Order, System
from shared.core.sync.model import (
    AnySnapshot,
    FieldChange,
    PlannedWrite,
    PlanProblem,
    ProblemKind,
    Reference,
    RequiredRecord,
    image_of,
)

DependencyKind = Literal["customer", "item"]


class RelatedRecord(BaseModel):
    """One record an order needs, as found by ``key`` (``customer_key`` / ``item_key``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    entity_id: EntityId | None = None
    target: ExternalRef | None = None
    """The target platform's record of this entity, when it has one."""
    source: AnySnapshot | None = None
    """The order's source platform's record of this entity (re-read), to create the target's from."""


def customer_key(email: str | None) -> str | None:
    """The lookup key of an order's customer: its normalised email (None without one)."""
    normal = normalize_email(email)
    return f"email:{normal}" if normal else None


def item_key(sku: str | None) -> str | None:
    """The lookup key of a line's item: its normalised SKU (None without one)."""
    normal = normalize_sku(sku)
    return f"sku:{normal}" if normal else None


def dependency_keys(order: Order) -> list[tuple[DependencyKind, int | None, str | None]]:
    """(kind, line index, key) of each record ``order`` needs: its customer, then each line's item."""
    needed: list[tuple[DependencyKind, int | None, str | None]] = [
        ("customer", None, customer_key(order.customer_email))
    ]
    return needed + [("item", index, item_key(line.sku)) for index, line in enumerate(order.lines)]


@dataclass(frozen=True)
class OrderDependencies:
    """The creates to run before the order's, what the plan reports as required, and the order's references."""

    creates: tuple[PlannedWrite, ...]
    requires: tuple[RequiredRecord, ...]
    references: tuple[Reference, ...]
    problems: tuple[PlanProblem, ...]


def order_dependencies(
    order: Order, target: System, related: Sequence[RelatedRecord], rules: tuple[str, ...]
) -> OrderDependencies:
    """Plan the records ``order`` needs in ``target`` from what was found (``related``, by key)."""
    found = {record.key: record for record in related}
    creates: list[PlannedWrite] = []
    created_at: dict[str, int] = {}
    requires: list[RequiredRecord] = []
    references: list[Reference] = []
    problems: list[PlanProblem] = []
    for kind, line, key in dependency_keys(order):
        reason = "the order's customer" if kind == "customer" else f"the item of line {line}"
        record = found.get(key) if key else None
        entity_type = EntityType.CUSTOMER if kind == "customer" else EntityType.PRODUCT
        present = record is not None and record.target is not None
        if key is not None and key not in created_at and not present and record and record.source:
            created_at[key] = len(creates)
            creates.append(_create(record.source, target, entity_type, rules))
        if key in created_at or present:
            target_ref = record.target if record else None
            index = None if present else created_at[key or ""]
            references.append(Reference(role=kind, line=line, ref=target_ref, write_index=index))
        else:
            problems.append(_missing(f"{reason} ({key or 'no key'}) is in neither {target} nor the source"))
        requires.append(RequiredRecord(system=target, entity_type=entity_type,
                                       entity_id=record.entity_id if record else None,
                                       present=present, reason=f"{reason} in {target}"))  # fmt: skip
    return OrderDependencies(tuple(creates), tuple(requires), tuple(references), tuple(problems))


def _create(
    source: AnySnapshot, target: System, entity_type: EntityType, rules: tuple[str, ...]
) -> PlannedWrite:
    values = image_of(source.values, mapping_for(target, entity_type).represented_fields)
    return PlannedWrite(
        operation="create", system=target, entity_type=entity_type, ref=None,
        changes=tuple(FieldChange(field=f, old=None, new=v) for f, v in sorted(values.items()) if v is not None),
        view=source.values, before_values={}, base_version=None, policy_rules=rules,
    )  # fmt: skip


def _missing(message: str) -> PlanProblem:
    return PlanProblem(kind=ProblemKind.MISSING_DEPENDENCY, message=f"{message}: create it first")


__all__ = [
    "DependencyKind",
    "OrderDependencies",
    "RelatedRecord",
    "customer_key",
    "dependency_keys",
    "item_key",
    "order_dependencies",
]
