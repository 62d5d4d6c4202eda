from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from shared.core.checks import EntitySnapshots
from shared.core.checks.builtin.customer_contact import CHECKS
from shared.core.findings import DiscrepancyKind, SyncDirection
from shared.core.model import Surface, System
from shared.core.policy import default_policy
from tests.unit.core.checks.builders import NOW, customer, entity

(CHECK,) = CHECKS
HS, NS = System.HUBSPOT, System.NETSUITE
RECENT = timedelta(minutes=5)


@dataclass(frozen=True)
class Case:
    id: str
    entity: EntitySnapshots
    kind: DiscrepancyKind | None
    fields: tuple[str, ...] = ()
    first_action: SyncDirection | None = None
    absent_actions: tuple[SyncDirection, ...] = field(default=())


CASES = [
    Case(
        "equal",
        entity(customer(HS, email="jane@acme.example"), customer(NS, email="jane@acme.example")),
        None,
    ),
    Case(
        "case and whitespace only",
        entity(customer(HS, email="jane@acme.example"), customer(NS, email=" Jane@ACME.example")),
        DiscrepancyKind.SOFT_DRIFT,
        ("email",),
        SyncDirection(source=HS, target=NS, fields=("email",)),
    ),
    Case(
        "different after grace",
        entity(customer(HS, email="jane@acme.example"), customer(NS, email="jane@old.example")),
        DiscrepancyKind.HARD_CONFLICT,
        ("email",),
        SyncDirection(source=HS, target=NS, fields=("email",)),
    ),
    Case(
        "different inside grace",
        entity(
            customer(HS, email="jane@acme.example", changed_ago=RECENT),
            customer(NS, email="jane@old.example"),
        ),
        DiscrepancyKind.SOFT_DRIFT,
        ("email",),
    ),
    Case(
        "both changed since they last agreed",
        entity(
            customer(HS, email="jane@acme.example", changed_ago=RECENT),
            customer(NS, email="jane@old.example", changed_ago=RECENT),
            last_agreed_at={"customer_contact": NOW - timedelta(hours=1)},
        ),
        DiscrepancyKind.HARD_CONFLICT,
        ("email",),
    ),
    Case(
        "only one changed since they last agreed, inside grace",
        entity(
            customer(HS, email="jane@acme.example", changed_ago=RECENT),
            customer(NS, email="jane@old.example", changed_ago=timedelta(hours=2)),
            last_agreed_at={"customer_contact": NOW - timedelta(hours=1)},
        ),
        DiscrepancyKind.SOFT_DRIFT,
        ("email",),
    ),
    Case(
        "follower that ignores the field",
        entity(customer(NS, tax_id="DE123"), customer(System.SHOPIFY, tax_id="FR999")),
        None,
    ),
    Case(
        "field one platform cannot hold",
        entity(customer(HS, email="jane@acme.example"), customer(NS, phone="+14155550100")),
        None,
    ),
    Case(
        "unlinked record",
        entity(customer(HS, email="jane@acme.example"), customer(NS, email="x@y.example"), linked={HS}),
        None,
    ),
    Case(
        "deleted record",
        entity(customer(HS, email="jane@acme.example"), customer(NS, email="x@y.example", deleted=True)),
        None,
    ),
    Case(
        "owner empty never overwrites a filled follower",
        entity(customer(HS, email=None, represented={"email"}), customer(NS, email="jane@acme.example")),
        DiscrepancyKind.HARD_CONFLICT,
        ("email",),
        SyncDirection(source=NS, target=HS, fields=("email",)),
        (SyncDirection(source=HS, target=NS, fields=("email",)),),
    ),
    Case(
        "several fields in one finding",
        entity(
            customer(HS, email="jane@acme.example", phone="+14155550100", first_name="Jane"),
            customer(NS, email="jane@old.example", phone="+14155550199", first_name="Jane"),
        ),
        DiscrepancyKind.HARD_CONFLICT,
        ("email", "phone"),
        SyncDirection(source=HS, target=NS, fields=("email", "phone")),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_customer_contact_classifies(case: Case) -> None:
    findings = CHECK.evaluate(case.entity, default_policy(), NOW)

    assert [f.kind for f in findings] == ([case.kind] if case.kind else [])
    for finding in findings:
        assert finding.fields == case.fields
        assert finding.verdict.owner is HS
        if case.first_action:
            assert finding.suggested_actions[0] == case.first_action
        for action in case.absent_actions:
            assert action not in finding.suggested_actions


def test_explanation_names_values_surfaces_ages_owner_policy_and_grace() -> None:
    subject = entity(
        customer(
            HS,
            email="jane@acme.example",
            changed_ago=timedelta(minutes=20),
            observed_ago=timedelta(minutes=2),
            surface=Surface.WEBHOOK,
        ),
        customer(NS, email="jane@old.example", changed_ago=timedelta(hours=3)),
    )

    (finding,) = CHECK.evaluate(subject, default_policy(), NOW)

    assert finding.explanation == (
        "HubSpot says jane@acme.example (webhook, 2 min old), NetSuite says jane@old.example (poll, 3 h old); "
        "HubSpot owns email per default@1; differs beyond the 15 min grace"
    )
    assert finding.verdict.policy == "default@1:customer.email"


def test_each_platform_value_carries_its_evidence() -> None:
    subject = entity(
        customer(HS, email="jane@acme.example", surface=Surface.WEBHOOK, changed_ago=timedelta(minutes=2)),
        customer(NS, email="jane@old.example", changed_ago=timedelta(hours=3)),
    )

    (finding,) = CHECK.evaluate(subject, default_policy(), NOW)

    hubspot, netsuite = finding.values
    assert (hubspot.system, hubspot.field, hubspot.value, hubspot.surface) == (
        HS,
        "email",
        "jane@acme.example",
        Surface.WEBHOOK,
    )
    assert hubspot.freshness_seconds == 120
    assert netsuite.value == "jane@old.example"
    assert netsuite.source_updated_at == NOW - timedelta(hours=3)
    assert hubspot.confidence > netsuite.confidence


def test_follower_newer_inside_grace_is_not_auto_approvable() -> None:
    subject = entity(
        customer(HS, email="jane@acme.example", changed_ago=timedelta(hours=2)),
        customer(NS, email="jane@new.example", changed_ago=RECENT),
    )

    (finding,) = CHECK.evaluate(subject, default_policy(), NOW)

    assert finding.kind is DiscrepancyKind.SOFT_DRIFT
    assert not finding.verdict.auto_approvable


def test_drift_found_by_a_pulse_names_the_surface_that_missed_it() -> None:
    subject = entity(
        customer(HS, email="jane@acme.example", changed_ago=timedelta(hours=2), surface=Surface.WEBHOOK),
        customer(NS, email="jane@new.example", changed_ago=timedelta(hours=1), surface=Surface.PULSE),
    )

    (finding,) = CHECK.evaluate(subject, default_policy(), NOW)

    assert finding.passive_drift_surface is Surface.POLL
