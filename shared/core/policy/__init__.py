"""Reconciliation policies: ownership, strategies, tolerances, lifecycle states, loading, decisions."""

from shared.core.policy.decisions import AutoSync, Decision, EscalateToOperator, NoOp, ProposeSync, decide
from shared.core.policy.lifecycle import (
    CustomerState,
    LifecycleState,
    OrderState,
    ProductState,
    lifecycle_state,
)
from shared.core.policy.loader import default_policy, load_policy
from shared.core.policy.model import (
    ConflictStrategy,
    DimensionRule,
    EntityPolicy,
    Expectation,
    FieldRule,
    FollowerMode,
    Policy,
    TextComparison,
    Tolerance,
)

__all__ = [
    "AutoSync",
    "ConflictStrategy",
    "CustomerState",
    "Decision",
    "DimensionRule",
    "EntityPolicy",
    "EscalateToOperator",
    "Expectation",
    "FieldRule",
    "FollowerMode",
    "LifecycleState",
    "NoOp",
    "OrderState",
    "Policy",
    "ProductState",
    "ProposeSync",
    "TextComparison",
    "Tolerance",
    "decide",
    "default_policy",
    "lifecycle_state",
    "load_policy",
]
