from datetime import timedelta

from shared.core.checks import default_registry
from shared.core.findings import CreateMissing, Finding, Ignore, SyncDirection
from shared.core.model import Surface, System
from shared.core.policy import (
    AutoSync,
    EscalateToOperator,
    NoOp,
    ProposeSync,
    decide,
    default_policy,
    load_policy,
)
from tests.unit.core.checks.builders import NOW, Snapshot, customer, entity, order


def _finding(*snapshots: Snapshot, dimension: str, order_count: int = 0) -> Finding:
    subject = entity(*snapshots, order_count=order_count)
    findings = default_registry().evaluate(subject, default_policy(), NOW, dimensions={dimension})
    assert len(findings) == 1
    return findings[0]


def test_soft_drift_in_an_auto_approved_dimension_syncs_from_the_owner_without_an_operator() -> None:
    finding = _finding(
        customer(System.HUBSPOT, email="Jane@Acme.example"),
        customer(System.NETSUITE, email="jane@acme.example "),
        dimension="customer_contact",
    )

    decision = decide(finding, default_policy())

    assert isinstance(decision, AutoSync)
    assert decision.action == SyncDirection(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",))
    assert decision.policy == "default@1:customer.email"
    assert decision.auto_approve_rule == "default@1:customer.customer_contact"


def test_hard_conflict_with_an_owner_is_proposed_not_applied() -> None:
    finding = _finding(
        customer(System.HUBSPOT, email="jane@acme.example"),
        customer(System.NETSUITE, email="jane@old.example"),
        dimension="customer_contact",
    )

    decision = decide(finding, default_policy())

    assert isinstance(decision, ProposeSync)
    assert decision.actions[0] == SyncDirection(
        source=System.HUBSPOT, target=System.NETSUITE, fields=("email",)
    )


def test_soft_drift_where_auto_approve_is_off_is_only_proposed() -> None:
    finding = _finding(
        order(
            System.SHOPIFY, financial_status="paid", changed_ago=timedelta(minutes=1), surface=Surface.WEBHOOK
        ),
        order(System.NETSUITE, financial_status="pending"),
        dimension="order_status",
    )

    assert isinstance(decide(finding, default_policy()), ProposeSync)


def test_missing_representation_proposes_creating_it() -> None:
    finding = _finding(customer(System.SHOPIFY, email="a@b.example"), dimension="presence", order_count=1)

    decision = decide(finding, default_policy())

    assert isinstance(decision, ProposeSync)
    assert CreateMissing(source=System.SHOPIFY, target=System.NETSUITE) in decision.actions


def test_field_nobody_owns_is_escalated_to_an_operator() -> None:
    policy = load_policy('name = "manual"\nversion = 1\n', "manual.toml")
    subject = entity(
        customer(System.HUBSPOT, email="a@b.example"), customer(System.NETSUITE, email="c@d.example")
    )
    (finding,) = default_registry().evaluate(subject, policy, NOW, dimensions={"customer_contact"})

    decision = decide(finding, policy)

    assert isinstance(decision, EscalateToOperator)
    assert decision.policy == "manual@1:customer.email"


def test_finding_made_under_another_policy_version_is_escalated() -> None:
    finding = _finding(
        customer(System.HUBSPOT, email="jane@acme.example"),
        customer(System.NETSUITE, email="jane@old.example"),
        dimension="customer_contact",
    )
    newer = load_policy('name = "default"\nversion = 2\n', "default.toml")

    assert isinstance(decide(finding, newer), EscalateToOperator)


def test_finding_whose_recommendation_is_to_ignore_is_a_no_op() -> None:
    finding = _finding(
        customer(System.HUBSPOT, email="jane@acme.example"),
        customer(System.NETSUITE, email="jane@old.example"),
        dimension="customer_contact",
    )
    ignored = finding.model_copy(update={"suggested_actions": (Ignore(),)})

    decision = decide(ignored, default_policy())

    assert isinstance(decision, NoOp)
    assert decision.policy == "default@1:customer.email"
