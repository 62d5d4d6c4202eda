"""Actions on an open discrepancy: choose, preview the syncer's plan, approve, follow the command.

Keys: ``action_dimension``, ``action_choice``, ``action_source``, ``action_target``,
``action_fields``, ``choice_<field>``, ``action_ref``, ``action_reason``, ``preview``, ``approve``;
``hold_reason``, ``snooze_hours``, ``ignore``, ``snooze``, ``raise_priority``, ``recheck``,
``assignee_name``, ``assign``, ``comment_text``, ``comment``.
"""

from collections.abc import Callable, Coroutine

import streamlit as st

from services.dashboard.auth import SignedIn
from services.dashboard.runtime import Runtime
from shared.adapters.mongo.dashboard import EntityRecords
from shared.core.dashboard.access import AccessDenied, Permission, allows
from shared.core.dashboard.annotations import EntityAnnotations
from shared.core.dashboard.approval import action_of_suggestion
from shared.core.discrepancy import Discrepancy
from shared.core.errors import ConcordError
from shared.core.events import (
    CreateMissing,
    LinkRecord,
    OneDirectionSync,
    PerFieldSync,
    PolicySync,
    SyncAction,
    SyncCommand,
    UnlinkRecord,
)
from shared.core.model import System
from shared.core.sync import SyncPlan

PREVIEW_KEY = "concord.preview"
FOLLOWED_KEY = "concord.followed"
CUSTOM = ("Sync one direction", "Sync by policy", "Choose per field", "Create missing", "Link", "Unlink")


def render_actions(
    runtime: Runtime, user: SignedIn, records: EntityRecords, notes: EntityAnnotations
) -> None:
    """The actions panel of the entity view (only when a discrepancy is open)."""
    st.subheader("Actions")
    if not allows(user.role, Permission.APPROVE):
        st.caption(f"Your role ({user.role.value}) can look but not approve.")
    open_now = {d.dimension: d for d in records.discrepancies if d.is_open}
    if open_now:
        dimension = st.selectbox("Discrepancy to act on", sorted(open_now), key="action_dimension")
        discrepancy = open_now[dimension or sorted(open_now)[0]]
        action = _choose_action(discrepancy, records)
        reason = st.text_input("Reason (recorded with the command)", key="action_reason")
        _preview_and_approve(runtime, user, discrepancy, action, records, reason=reason)
        _operator_actions(runtime, user, discrepancy)
    _follow()


def _suggestion_labels(discrepancy: Discrepancy) -> dict[str, SyncAction]:
    labels: dict[str, SyncAction] = {}
    for suggestion in discrepancy.finding.suggested_actions:
        action = action_of_suggestion(suggestion)
        if action is not None:
            labels[f"Suggested: {_describe(action)}"] = action
    return labels


def _describe(action: SyncAction) -> str:
    if isinstance(action, OneDirectionSync):
        return f"copy {', '.join(action.fields)} from {action.source} to {action.target}"
    if isinstance(action, CreateMissing):
        return f"create in {action.target} from {action.source}"
    if isinstance(action, LinkRecord | UnlinkRecord):
        return f"{action.kind} {action.ref.key}"
    return action.kind


def _choose_action(discrepancy: Discrepancy, records: EntityRecords) -> SyncAction | None:
    suggested = _suggestion_labels(discrepancy)
    choice = st.radio("Action", [*suggested, *CUSTOM], key="action_choice") or ""
    if choice in suggested:
        return suggested[choice]
    if choice in ("Link", "Unlink"):
        return _record_action(choice, records)
    return _sync_action(choice, discrepancy, records)


def _sync_action(choice: str, discrepancy: Discrepancy, records: EntityRecords) -> SyncAction | None:
    systems = sorted(System)
    fields = list(discrepancy.finding.fields) or sorted({n for s in records.snapshots for n in s.represented})
    if choice == "Sync by policy":
        return PolicySync(fields=tuple(fields)) if fields else None
    if choice == "Choose per field":
        choices = {
            f: System(st.selectbox(f"Winner of {f}", systems, key=f"choice_{f}") or systems[0])
            for f in fields
        }
        return PerFieldSync(choices=choices) if choices else None
    source = System(st.selectbox("From", systems, key="action_source") or systems[0])
    target = System(st.selectbox("To", systems, index=1, key="action_target") or systems[1])
    if source is target:
        st.warning("Choose two different platforms.")
        return None
    if choice == "Create missing":
        return CreateMissing(source=source, target=target)
    chosen = st.multiselect("Fields", fields, default=list(discrepancy.finding.fields), key="action_fields")
    return OneDirectionSync(source=source, target=target, fields=tuple(chosen)) if chosen else None


def _record_action(choice: str, records: EntityRecords) -> SyncAction | None:
    refs = [p.ref for p in records.proposals] if choice == "Link" else [link.ref for link in records.links]
    keys = [ref.key for ref in refs]
    picked = st.selectbox("Record", keys, key="action_ref") if keys else None
    if picked is None:
        return None
    ref = refs[keys.index(picked)]
    return LinkRecord(ref=ref) if choice == "Link" else UnlinkRecord(ref=ref)


def _preview_and_approve(
    runtime: Runtime, user: SignedIn, discrepancy: Discrepancy, action: SyncAction | None,
    records: EntityRecords, *, reason: str,
) -> None:  # fmt: skip
    if st.button("Preview", key="preview", disabled=action is None) and action is not None:
        command, plan = runtime.service.preview(discrepancy, action, list(records.snapshots), user)
        if reason:
            command = command.model_copy(update={"reason": reason})
        st.session_state[PREVIEW_KEY] = (command, plan)
    preview = st.session_state.get(PREVIEW_KEY)
    if not preview or preview[0].entity_id != discrepancy.entity_id:
        return
    command, plan = preview
    _show_plan(plan)
    if st.button("Approve", key="approve", type="primary"):
        _approve(runtime, user, command)


def _show_plan(plan: SyncPlan) -> None:
    st.markdown("**Preview: what the syncer will write**")
    rows = [
        {"operation": w.operation, "platform": w.system.value, "record": w.ref.key if w.ref else "(new)",
         "field": c.field, "now": c.old, "will be": c.new}
        for w in plan.writes for c in w.changes
    ]  # fmt: skip
    with st.container(key="preview_writes"):  # a few rows: a static table reads better than a grid
        st.table(rows)
    if not plan.writes:
        st.info("Nothing would change.")
    for effect in plan.side_effects:
        st.warning(f"{effect.system}: {effect.description}")
    for problem in plan.problems:
        st.error(f"{problem.kind.value}: {problem.message}")


def _approve(runtime: Runtime, user: SignedIn, command: SyncCommand) -> None:
    try:
        runtime.portal.call(runtime.service.approve(user, command), timeout=runtime.publish_timeout)
    except AccessDenied as error:
        st.error(f"Refused: {error}")
        return
    except ConcordError as error:
        st.error(str(error))
        return
    except TimeoutError:
        st.error("Kafka did not acknowledge the command in time: it is NOT approved; try again.")
        return
    st.session_state.pop(PREVIEW_KEY, None)
    st.session_state[FOLLOWED_KEY] = command.command_id
    runtime.inbox.invalidate()
    st.success(f"Approved: command {command.command_id} published by {user.name}.")


def _operator_actions(runtime: Runtime, user: SignedIn, discrepancy: Discrepancy) -> None:
    entity, dimension = discrepancy.entity_id, discrepancy.dimension
    with st.expander("Ignore, snooze, priority, re-check, assign, comment", expanded=True):
        reason = st.text_input("Reason to ignore or snooze", key="hold_reason")
        hours = st.number_input("Snooze hours", min_value=1, max_value=24 * 30, value=24, key="snooze_hours")
        left, middle, right, last = st.columns(4)
        if left.button("Ignore", key="ignore"):
            _do(
                runtime,
                lambda: runtime.service.hold(user, entity, dimension, "ignored", reason, hours=None),
                "Ignored.",
            )
        if middle.button("Snooze", key="snooze"):
            _do(
                runtime,
                lambda: runtime.service.hold(user, entity, dimension, "snoozed", reason, hours=float(hours)),
                "Snoozed.",
            )
        if right.button("Raise priority", key="raise_priority"):
            _do(
                runtime,
                lambda: runtime.service.raise_priority(user, entity, dimension, 100.0),
                "Priority raised.",
            )
        if last.button("Re-check now", key="recheck"):
            _do(
                runtime,
                lambda: runtime.service.request_recheck(user, entity, dimension),
                "Re-check requested.",
            )
        assignee = st.text_input("Assign to", value=user.name, key="assignee_name")
        if st.button("Assign", key="assign"):
            _do(
                runtime,
                lambda: runtime.service.assign(user, entity, dimension, assignee or None),
                "Assigned.",
            )
        text = st.text_area("Comment", key="comment_text")
        if st.button("Comment", key="comment") and text.strip():
            _do(runtime, lambda: runtime.service.comment(user, entity, dimension, text), "Commented.")


def _do(runtime: Runtime, start: Callable[[], Coroutine[object, object, object]], done: str) -> None:
    try:
        runtime.portal.call(start())
    except ConcordError as error:
        st.error(f"Refused: {error}" if isinstance(error, AccessDenied) else str(error))
        return
    runtime.inbox.invalidate()
    st.success(done)


@st.fragment(run_every=2.0)
def _follow_fragment() -> None:
    command_id = st.session_state.get(FOLLOWED_KEY)
    runtime = st.session_state.get("concord.runtime")
    if not command_id or runtime is None:
        return
    record = runtime.portal.call(runtime.service.ports.reader.command(command_id))
    if record is None:
        st.info(f"Command {command_id}: approved, waiting for the syncer")
        return
    detail = f" — {record.last_error}" if record.last_error else ""
    st.info(f"Command {command_id}: {record.state.value}{detail}")


def _follow() -> None:
    if st.session_state.get(FOLLOWED_KEY):
        _follow_fragment()


__all__ = ["FOLLOWED_KEY", "PREVIEW_KEY", "render_actions"]
