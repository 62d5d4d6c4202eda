"""Sync commands in the core: the plan shared with the dashboard, the state machine, the audit record."""

from shared.core.sync.dependencies import RelatedRecord, customer_key, dependency_keys, item_key
from shared.core.sync.model import (
    FieldChange,
    PlannedWrite,
    PlanProblem,
    ProblemKind,
    Reference,
    RequiredRecord,
    SideEffect,
    SyncPlan,
    image_of,
    same_text,
    shows,
)
from shared.core.sync.plan import PlanInputs, UndoImage, plan_command, stale_problems
from shared.core.sync.ports import Admission, CommandStore, ConcurrentUpdate
from shared.core.sync.record import (
    Attempt,
    AttemptOutcome,
    AuditedWrite,
    CommandRecord,
    provenance_tag_for,
    readback_request_id,
    write_id_for,
)
from shared.core.sync.side_effects import SIDE_EFFECT_RULES, side_effects_of
from shared.core.sync.state import (
    FINAL_STATES,
    CommandState,
    IllegalTransition,
    RetryDecision,
    RetryPolicy,
    after_failure,
    check_transition,
)

__all__ = [
    "FINAL_STATES",
    "SIDE_EFFECT_RULES",
    "Admission",
    "Attempt",
    "AttemptOutcome",
    "AuditedWrite",
    "CommandRecord",
    "CommandState",
    "CommandStore",
    "ConcurrentUpdate",
    "FieldChange",
    "IllegalTransition",
    "PlanInputs",
    "PlanProblem",
    "PlannedWrite",
    "ProblemKind",
    "Reference",
    "RelatedRecord",
    "RequiredRecord",
    "RetryDecision",
    "RetryPolicy",
    "SideEffect",
    "SyncPlan",
    "UndoImage",
    "after_failure",
    "check_transition",
    "customer_key",
    "dependency_keys",
    "image_of",
    "item_key",
    "plan_command",
    "provenance_tag_for",
    "readback_request_id",
    "same_text",
    "shows",
    "side_effects_of",
    "stale_problems",
    "write_id_for",
]
