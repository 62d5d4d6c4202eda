"""The plan of a sync command: exactly what it would write where, computed without writing.

Shared by the dashboard (preview before approval) and the syncer (which executes the plan it gets
from the records it has just re-read). Pure: the caller reads the records and passes them in.

Rules:
- Precondition: every record the approver saw must still be what they saw (same source version
  when one was seen, same values); otherwise the plan is ``stale`` and nothing may be written.
- Only fields whose value would change are written; a plan with no writes is a no-op, not an error.
- A one-direction sync of a field the target cannot write is ``invalid`` (the operator asked for
  something impossible); policy and per-field syncs skip systems that do not hold a field.
- An undo writes the before-images of an earlier command back, and only onto records that still show
  that command's after-image.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from shared.core.checks.compare import render
from shared.core.events import (
    CreateMissing,
    FieldImage,
    OneDirectionSync,
    PerFieldSync,
    PolicySync,
    SeenRecord,
    SyncCommand,
)
from shared.core.events import UndoCommand as UndoAction
from shared.core.mapping import mapping_for
from shared.core.model import ExternalRef, Order, System
from shared.core.policy import FollowerMode, Policy, lifecycle_state
from shared.core.sync.dependencies import OrderDependencies, RelatedRecord, order_dependencies
from shared.core.sync.model import (
    AnySnapshot,
    FieldChange,
    JsonValues,
    PlannedWrite,
    PlanProblem,
    ProblemKind,
    RequiredRecord,
    SyncPlan,
    image_of,
    same_text,
    shows,
)
from shared.core.sync.side_effects import side_effects_of


class UndoImage(BaseModel):
    """One write of the command being undone: the record, its exact before values, its after-image."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: ExternalRef
    before_values: JsonValues
    after: FieldImage


@dataclass(frozen=True)
class PlanInputs:
    """What the plan is computed from.

    ``current``: the entity's records as they are now (what the approver saw must be among them);
    ``undone``: for an undo, the writes of the undone command; ``related``: for the create of an
    order, what was found of its customer and items (see :mod:`shared.core.sync.dependencies`).
    """

    policy: Policy
    current: Sequence[AnySnapshot]
    undone: Sequence[UndoImage] = ()
    related: Sequence[RelatedRecord] = ()


def plan_command(command: SyncCommand, inputs: PlanInputs) -> SyncPlan:
    """The plan of ``command`` against ``inputs``; never raises for a bad command (see ``problems``)."""
    live = {s.ref.system: s for s in inputs.current if not s.deleted}
    problems = list(stale_problems(command.seen, inputs.current))
    writes: list[PlannedWrite] = []
    requires: tuple[RequiredRecord, ...] = ()
    action = command.action
    if isinstance(action, OneDirectionSync):
        choices = dict.fromkeys(action.fields, action.source)
        writes, invalid = _sync_writes(command, live, choices, targets={action.target}, strict=True)
        problems += invalid
    elif isinstance(action, PerFieldSync):
        writes, problems_ = _sync_writes(command, live, dict(action.choices), targets=set(live), strict=False)
        problems += problems_
    elif isinstance(action, PolicySync):
        writes, problems_ = _policy_writes(command, live, action.fields, inputs.policy)
        problems += problems_
    elif isinstance(action, CreateMissing):
        writes, requires, problems_ = _create_writes(command, live, action, inputs.related)
        problems += problems_
    elif isinstance(action, UndoAction):
        writes, problems_ = _undo_writes(command, inputs.current, inputs.undone)
        problems += problems_
    effects = tuple(effect for write in writes for effect in side_effects_of(write))
    return SyncPlan(writes=tuple(writes), requires=requires, side_effects=effects, problems=tuple(problems))


def stale_problems(seen: Sequence[SeenRecord], current: Sequence[AnySnapshot]) -> list[PlanProblem]:
    """How each record differs from what the approver saw (empty: the precondition holds)."""
    by_key = {snapshot.ref.key: snapshot for snapshot in current}
    problems: list[PlanProblem] = []
    for record in seen:
        now = by_key.get(record.ref.key)
        if now is None or now.deleted:
            problems.append(_stale(f"{record.ref.key} no longer exists"))
            continue
        if record.source_version is not None and now.source_version != record.source_version:
            problems.append(
                _stale(
                    f"{record.ref.key} changed since approval (version {record.source_version} -> "
                    f"{now.source_version})"
                )
            )
            continue
        image = image_of(now.values, frozenset(record.values) & now.represented)
        for name, value in sorted(record.values.items()):
            if name in image and not same_text(image[name], value):
                problems.append(
                    _stale(f"{record.ref.key} {name} is now {image[name]!r}, approver saw {value!r}")
                )
    return problems


def _stale(message: str) -> PlanProblem:
    return PlanProblem(kind=ProblemKind.STALE, message=message)


def _invalid(message: str) -> PlanProblem:
    return PlanProblem(kind=ProblemKind.INVALID, message=message)


def _sync_writes(
    command: SyncCommand,
    live: Mapping[System, AnySnapshot],
    choices: Mapping[str, System],
    *,
    targets: set[System],
    strict: bool,
    rules: Mapping[str, str] | None = None,
) -> tuple[list[PlannedWrite], list[PlanProblem]]:
    """Updates giving each target the chosen winner's value of each field (``strict``: every field)."""
    problems = [
        _invalid(f"no current {w} record to copy {f} from") for f, w in choices.items() if w not in live
    ]
    writes: list[PlannedWrite] = []
    for system in sorted(targets):
        target = live.get(system)
        if target is None:
            problems += [_invalid(f"no current {system} record to write")] if strict else []
            continue
        writable = mapping_for(system, command.entity_type).writable_fields
        fields = [f for f, w in sorted(choices.items()) if w is not system and w in live]
        if strict:
            problems += [
                _invalid(f"{system} does not let Concord write {f}") for f in fields if f not in writable
            ]
        changed = [f for f in fields if f in writable and _differs(live[choices[f]], target, f)]
        if changed:
            update = {f: getattr(live[choices[f]].values, f) for f in changed}
            policy_rules = tuple(sorted({rules[f] for f in changed if f in rules})) if rules else ()
            writes.append(_update(command, target, update, policy_rules))
    return writes, problems


def _differs(source: AnySnapshot, target: AnySnapshot, name: str) -> bool:
    return not same_text(render(getattr(source.values, name)), render(getattr(target.values, name)))


def _update(
    command: SyncCommand, target: AnySnapshot, update: Mapping[str, object], rules: tuple[str, ...]
) -> PlannedWrite:
    view = target.values.model_copy(update=dict(update))
    names = frozenset(update)
    before, after = image_of(target.values, names), image_of(view, names)
    return PlannedWrite(
        operation="update", system=target.ref.system, entity_type=command.entity_type, ref=target.ref,
        changes=tuple(FieldChange(field=f, old=before[f], new=after[f]) for f in sorted(names)),
        view=view, before_values=target.values.model_dump(mode="json", include=set(names)),
        base_version=target.source_version, policy_rules=rules or _command_rule(command),
    )  # fmt: skip


def _command_rule(command: SyncCommand) -> tuple[str, ...]:
    return (command.policy,) if command.policy else ()


def _policy_writes(
    command: SyncCommand, live: Mapping[System, AnySnapshot], fields: Sequence[str], policy: Policy
) -> tuple[list[PlannedWrite], list[PlanProblem]]:
    """Each field's owner (in the entity's lifecycle state) wins; mirroring systems take its value."""
    state = str(lifecycle_state(command.entity_type, live)) if live else ""
    choices: dict[str, System] = {}
    rules: dict[str, str] = {}
    problems: list[PlanProblem] = []
    for name in fields:
        rule = policy.field_rule(command.entity_type, name)
        owner = rule.owner_in(state)
        if owner is None:
            problems.append(_invalid(f"policy names no owner of {name}: choose the winner per field"))
            continue
        choices[name] = owner
        rules[name] = policy.rule_id(command.entity_type, name)
    mirrors = {s for s in live if all(policy.field_rule(command.entity_type, f).mode_of(s) is FollowerMode.MIRROR
                                      for f in choices)}  # fmt: skip
    writes, more = _sync_writes(command, live, choices, targets=mirrors, strict=False, rules=rules)
    empty_ok = {f for f in choices if policy.field_rule(command.entity_type, f).allow_empty_overwrite}
    return [
        w for w in writes if all(c.new is not None or c.field in empty_ok for c in w.changes)
    ], problems + more


def _create_writes(
    command: SyncCommand,
    live: Mapping[System, AnySnapshot],
    action: CreateMissing,
    related: Sequence[RelatedRecord],
) -> tuple[list[PlannedWrite], tuple[RequiredRecord, ...], list[PlanProblem]]:
    """The create of the missing record, after the creates of what it needs (an order's customer, items)."""
    source = live.get(action.source)
    if source is None:
        return [], (), [_invalid(f"no current {action.source} record to create from")]
    if action.target in live:
        return [], (), [_invalid(f"{action.target} already holds {live[action.target].ref.key}")]
    rules = _command_rule(command)
    needs = (
        order_dependencies(source.values, action.target, related, rules)
        if isinstance(source.values, Order)
        else OrderDependencies((), (), (), ())
    )
    mapping = mapping_for(action.target, command.entity_type)
    image = image_of(source.values, mapping.represented_fields)
    values = {name: text for name, text in image.items() if text is not None}
    write = PlannedWrite(
        operation="create", system=action.target, entity_type=command.entity_type, ref=None,
        changes=tuple(FieldChange(field=f, old=None, new=v) for f, v in sorted(values.items())),
        view=source.values, before_values={}, base_version=None, policy_rules=rules, references=needs.references,
    )  # fmt: skip
    return [*needs.creates, write], needs.requires, list(needs.problems)


def _undo_writes(
    command: SyncCommand, current: Sequence[AnySnapshot], undone: Sequence[UndoImage]
) -> tuple[list[PlannedWrite], list[PlanProblem]]:
    """Write each before-image back onto a record that still shows the undone command's after-image."""
    if not undone:
        return [], [_invalid("the undone command wrote nothing that can be restored")]
    by_key = {s.ref.key: s for s in current if not s.deleted}
    writes: list[PlannedWrite] = []
    problems: list[PlanProblem] = []
    for image in undone:
        target = by_key.get(image.ref.key)
        if target is None:
            problems.append(_stale(f"{image.ref.key} no longer exists"))
        elif not shows(image_of(target.values, frozenset(image.after)), image.after):
            problems.append(_stale(f"{image.ref.key} changed since the undone command wrote it"))
        else:
            view_type = type(target.values)
            restored = view_type.model_validate(
                {**target.values.model_dump(mode="json"), **image.before_values}
            )
            update = {name: getattr(restored, name) for name in image.before_values}
            writes.append(_update(command, target, update, _command_rule(command)))
    return writes, problems


__all__ = ["PlanInputs", "UndoImage", "plan_command", "stale_problems"]
