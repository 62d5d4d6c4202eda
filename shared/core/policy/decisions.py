"""Decisions as data: what should happen about a finding under a policy.

The core decides and the services carry: the checker stores the decision with the discrepancy, the
dashboard offers it to an operator, the syncer executes an :class:`AutoSync` without asking.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.core.findings import DiscrepancyKind, Finding, Ignore, SuggestedAction, SyncDirection
from shared.core.policy.model import ConflictStrategy, Policy


class _Decision(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: str
    """The rule(s) that produced the decision, e.g. ``default@1:customer.email``."""
    reason: str


class NoOp(_Decision):
    """Nothing to do: the suggested action is to accept the difference."""

    decision: Literal["no_op"] = "no_op"


class ProposeSync(_Decision):
    """Offer ``actions`` to an operator, the first being the one the policy recommends."""

    decision: Literal["propose_sync"] = "propose_sync"
    actions: tuple[SuggestedAction, ...]


class AutoSync(_Decision):
    """Apply ``action`` without an operator, as ``auto_approve_rule`` allows."""

    decision: Literal["auto_sync"] = "auto_sync"
    action: SyncDirection
    auto_approve_rule: str


class EscalateToOperator(_Decision):
    """The policy cannot choose (manual strategy, no owner, stale policy); an operator must."""

    decision: Literal["escalate"] = "escalate"
    actions: tuple[SuggestedAction, ...]


Decision = Annotated[NoOp | ProposeSync | AutoSync | EscalateToOperator, Field(discriminator="decision")]


def decide(finding: Finding, policy: Policy) -> NoOp | ProposeSync | AutoSync | EscalateToOperator:
    """The suggested decision for ``finding`` under ``policy``; pure and total.

    A finding produced under another policy (name or version) is escalated, since its verdict may no
    longer hold. Auto sync happens only for soft drift whose verdict is auto-approvable, whose
    dimension rule allows it, and whose recommended action is a sync.
    """
    named = finding.verdict.policy
    actions = finding.suggested_actions
    if not named.startswith(f"{policy.label}:"):
        return EscalateToOperator(
            policy=named, reason=f"found under another policy than {policy.label}", actions=actions
        )
    if not actions or isinstance(actions[0], Ignore):
        return NoOp(policy=named, reason="the policy suggests accepting the difference")
    if finding.verdict.owner is None or finding.verdict.strategy == ConflictStrategy.MANUAL:
        return EscalateToOperator(
            policy=named, reason="no platform owns the disagreeing fields", actions=actions
        )
    auto_rule = _auto_approve_rule(finding, policy)
    primary = actions[0]
    if auto_rule is not None and isinstance(primary, SyncDirection):
        return AutoSync(
            policy=named,
            reason="soft drift from the owner's value",
            action=primary,
            auto_approve_rule=auto_rule,
        )
    return ProposeSync(policy=named, reason=_proposal_reason(finding), actions=actions)


def _auto_approve_rule(finding: Finding, policy: Policy) -> str | None:
    if finding.kind is not DiscrepancyKind.SOFT_DRIFT or not finding.verdict.auto_approvable:
        return None
    if not policy.dimension_rule(finding.entity_type, finding.dimension).auto_approve_soft_drift:
        return None
    return policy.rule_id(finding.entity_type, finding.dimension)


def _proposal_reason(finding: Finding) -> str:
    if finding.kind is DiscrepancyKind.MISSING:
        return "an expected representation is absent"
    owner = finding.verdict.owner.value if finding.verdict.owner else "the operator"
    return f"{finding.kind.value.replace('_', ' ')}; {owner} wins by {finding.verdict.strategy}"
