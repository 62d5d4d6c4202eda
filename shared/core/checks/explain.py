"""Plain-language explanations an operator reads on the dashboard."""

from datetime import datetime

from shared.core.checks.compare import Agreement, render
from shared.core.checks.evidence import freshness_seconds
from shared.core.checks.fields import FieldDiff, Side
from shared.core.findings import DiscrepancyKind
from shared.core.model import System
from shared.core.policy.model import ConflictStrategy

SYSTEM_NAMES: dict[System, str] = {
    System.HUBSPOT: "HubSpot",
    System.SHOPIFY: "Shopify",
    System.NETSUITE: "NetSuite",
}

_UNITS = ((86_400, "d"), (3_600, "h"), (60, "min"), (1, "s"))


def duration(seconds: float) -> str:
    """A rounded-down duration in its largest whole unit: ``"2 min"``, ``"3 h"``, ``"0 s"``."""
    whole = int(max(0.0, seconds))
    for size, unit in _UNITS:
        if whole >= size:
            return f"{whole // size} {unit}"
    return "0 s"


def side_text(side: Side, now: datetime) -> str:
    """``HubSpot says jane@acme.example (webhook, 2 min old)``."""
    value = render(side.value)
    what = f"says {value}" if value is not None else "has nothing"
    age = duration(freshness_seconds(side.snapshot, now))
    return f"{SYSTEM_NAMES[side.system]} {what} ({side.snapshot.surface.value}, {age} old)"


def field_explanation(diff: FieldDiff, policy_label: str, now: datetime) -> str:
    """Why ``diff`` is a finding: each side's value, who owns the field, and why it is this kind."""
    sides = ", ".join(side_text(side, now) for side in (diff.reference, *(s for s, _ in diff.differing)))
    return f"{sides}; {_owner_clause(diff, policy_label)}; {_reason_clause(diff, now)}"


def _owner_clause(diff: FieldDiff, policy_label: str) -> str:
    if diff.rule.strategy is ConflictStrategy.MANUAL or diff.owner is None:
        return f"no platform settles {diff.field} per {policy_label}, an operator decides"
    if diff.rule.strategy is ConflictStrategy.MOST_RECENT_WINS:
        return f"the most recent change ({SYSTEM_NAMES[diff.owner]}) wins {diff.field} per {policy_label}"
    return f"{SYSTEM_NAMES[diff.owner]} owns {diff.field} per {policy_label}"


def _reason_clause(diff: FieldDiff, now: datetime) -> str:
    grace = duration(diff.grace.total_seconds())
    if diff.agreement is Agreement.FORMATTING:
        return "differs only in formatting"
    if diff.agreement is Agreement.WITHIN_TOLERANCE:
        return "differs within tolerance"
    if diff.both_changed:
        return "both sides changed since they last agreed"
    if diff.kind is DiscrepancyKind.SOFT_DRIFT:
        since = duration((now - diff.newest_change).total_seconds())
        return f"differs inside the {grace} grace (newest change {since} ago), the systems may converge"
    return f"differs beyond the {grace} grace"
