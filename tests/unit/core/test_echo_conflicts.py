"""Echo conflicts: a different value inside the echo window becomes a hard conflict carrying both timelines."""

from datetime import UTC, datetime, timedelta

from shared.core.echo import (
    ECHO_CONFLICT_PREFIX,
    EchoConflict,
    escalate_echo_conflicts,
    find_echo_conflict,
    is_echo_conflict,
    sustain_echo_conflicts,
)
from shared.core.findings import (
    DiscrepancyKind,
    Finding,
    Ignore,
    OwnerVerdict,
    PerFieldChoice,
    PlatformValue,
    SyncDirection,
)
from shared.core.model import Customer, EntityId, EntityType, ExternalRef, Surface, System
from shared.core.ports import ExpectedWrite
from shared.core.snapshot import CustomerSnapshot

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
NOW = T0 + timedelta(minutes=2)
NETSUITE = ExternalRef(system=System.NETSUITE, object_type="customer", external_id="107")
HUBSPOT = ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="51")
ENTITY = EntityId("ent_1")


def a_write(*, verified: datetime | None = None) -> ExpectedWrite:
    return ExpectedWrite(
        write_id="w1", command_id="cmd-1", ref=NETSUITE, entity_id=ENTITY,
        expected={"email": "fixed@acme.example"}, provenance_tag="concord:w1", written_at=T0,
        verified_at=verified,
    )  # fmt: skip


def netsuite_shows(email: str) -> CustomerSnapshot:
    return CustomerSnapshot(
        ref=NETSUITE, represented=frozenset({"email", "phone"}), source_version="v2",
        source_updated_at=T0 + timedelta(seconds=30), observed_at=T0 + timedelta(seconds=40),
        surface=Surface.WEBHOOK, values=Customer(email=email),
    )  # fmt: skip


def side(ref: ExternalRef, value: str, surface: Surface = Surface.WEBHOOK) -> PlatformValue:
    return PlatformValue(
        system=ref.system, field="email", ref=ref, value=value, observed_at=T0, source_updated_at=T0,
        surface=surface, confidence=0.9,
    )  # fmt: skip


def contact_finding(*fields: str, kind: DiscrepancyKind = DiscrepancyKind.SOFT_DRIFT) -> Finding:
    return Finding(
        entity_id=ENTITY, entity_type=EntityType.CUSTOMER, dimension="customer_contact",
        check="customer_contact", kind=kind, fields=fields or ("email",),
        values=(side(HUBSPOT, "fixed@acme.example"), side(NETSUITE, "other@acme.example")),
        verdict=OwnerVerdict(owner=System.HUBSPOT, strategy="owner_wins", policy="default@1:customer.email",
                             auto_approvable=True),
        suggested_actions=(SyncDirection(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",)),
                           Ignore()),
        explanation="HubSpot says fixed@acme.example, NetSuite says other@acme.example", found_at=NOW,
    )  # fmt: skip


def conflict() -> EchoConflict:
    found = find_echo_conflict(
        netsuite_shows("other@acme.example"), recent_writes=[a_write()], now=NOW, echo_window=WINDOW
    )
    assert found is not None
    return found


def test_a_different_value_after_an_unverified_write_is_a_conflict_on_the_written_fields() -> None:
    assert (conflict().write.write_id, conflict().fields) == ("w1", ("email",))


def test_the_write_coming_back_is_no_conflict() -> None:
    echo = netsuite_shows("Fixed@Acme.example")
    assert find_echo_conflict(echo, recent_writes=[a_write()], now=NOW, echo_window=WINDOW) is None


def test_a_change_after_the_write_was_verified_is_an_ordinary_change() -> None:
    verified = a_write(verified=T0 + timedelta(seconds=5))
    later = netsuite_shows("other@acme.example")
    assert find_echo_conflict(later, recent_writes=[verified], now=NOW, echo_window=WINDOW) is None


def test_a_write_older_than_the_window_conflicts_with_nothing() -> None:
    late = NOW + WINDOW
    assert (
        find_echo_conflict(
            netsuite_shows("other@acme.example"), recent_writes=[a_write()], now=late, echo_window=WINDOW
        )
        is None
    )


def test_the_escalated_finding_is_a_hard_conflict_carrying_both_timelines() -> None:
    (escalated,) = escalate_echo_conflicts([contact_finding()], [conflict()], NOW)

    assert escalated.kind is DiscrepancyKind.HARD_CONFLICT
    assert is_echo_conflict(escalated) and escalated.check == f"{ECHO_CONFLICT_PREFIX}customer_contact"
    write = [v for v in escalated.values if v.surface is None]
    assert [(w.system, w.ref, w.value, w.source_updated_at, w.observed_at) for w in write] == [
        (System.NETSUITE, NETSUITE, "fixed@acme.example", T0, None)
    ]
    observed = [v for v in escalated.values if v.ref == NETSUITE and v.surface is not None]
    assert [v.value for v in observed] == ["other@acme.example"]
    assert "Concord wrote email = 'fixed@acme.example' to netsuite:customer:107" in escalated.explanation
    assert "showed email = 'other@acme.example'" in escalated.explanation
    assert "15 min echo window" in escalated.explanation


def test_an_escalated_finding_is_never_auto_approved_and_offers_a_per_field_choice_first() -> None:
    (escalated,) = escalate_echo_conflicts([contact_finding()], [conflict()], NOW)
    assert escalated.verdict.auto_approvable is False
    assert escalated.suggested_actions[0] == PerFieldChoice(fields=("email",))
    assert escalated.suggested_actions[1:] == contact_finding().suggested_actions


def test_a_conflict_adds_the_observed_side_when_the_check_did_not_list_it() -> None:
    finding = contact_finding().model_copy(update={"values": (side(HUBSPOT, "fixed@acme.example"),)})
    (escalated,) = escalate_echo_conflicts([finding], [conflict()], NOW)
    observed = [(v.system, v.value, v.surface) for v in escalated.values if v.ref == NETSUITE]
    assert (System.NETSUITE, "other@acme.example", Surface.WEBHOOK) in observed


def test_findings_on_other_fields_and_agreeing_dimensions_are_left_alone() -> None:
    phone = contact_finding("phone")
    assert escalate_echo_conflicts([phone], [conflict()], NOW) == [phone]
    assert escalate_echo_conflicts([], [conflict()], NOW) == []


def test_escalating_twice_changes_nothing() -> None:
    once = escalate_echo_conflicts([contact_finding()], [conflict()], NOW)
    assert escalate_echo_conflicts(once, [conflict()], NOW) == once


def test_an_open_escalated_discrepancy_stays_a_hard_conflict_with_its_write_after_the_window() -> None:
    (stored,) = escalate_echo_conflicts([contact_finding()], [conflict()], NOW)
    fresh = contact_finding()
    (sustained,) = sustain_echo_conflicts([fresh], {"customer_contact": stored})
    assert sustained.kind is DiscrepancyKind.HARD_CONFLICT and is_echo_conflict(sustained)
    assert [v.value for v in sustained.values if v.surface is None] == ["fixed@acme.example"]
    assert sustained.explanation.startswith("After Concord wrote email")


def test_an_ordinary_open_discrepancy_is_not_sustained_and_agreement_leaves_no_finding() -> None:
    fresh = contact_finding()
    assert sustain_echo_conflicts([fresh], {"customer_contact": contact_finding()}) == [fresh]
    (stored,) = escalate_echo_conflicts([contact_finding()], [conflict()], NOW)
    assert sustain_echo_conflicts([], {"customer_contact": stored}) == []
