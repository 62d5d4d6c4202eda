from datetime import UTC, datetime

from shared.core.events import (
    CreateMissing,
    OneDirectionSync,
    PolicySync,
    SeenRecord,
    SyncAction,
    SyncCommand,
    first_in_chain,
)
from shared.core.model import Customer, EntityId, EntityType, ExternalRef, Surface, System
from shared.core.policy import default_policy
from shared.core.snapshot import CustomerSnapshot
from shared.core.sync import PlanInputs, ProblemKind, plan_command

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HS = ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="1")
NS = ExternalRef(system=System.NETSUITE, object_type="customer", external_id="2")


def snapshot(ref: ExternalRef, email: str, version: str = "v1") -> CustomerSnapshot:
    return CustomerSnapshot(ref=ref, represented=frozenset({"email"}), source_version=version, observed_at=NOW,
                            surface=Surface.PULSE, values=Customer(email=email))  # fmt: skip


def command(action: SyncAction, *seen: SeenRecord) -> SyncCommand:
    return SyncCommand(
        **first_in_chain(producer="test", produced_at=NOW), command_id="c1", idempotency_key="k1",
        entity_id=EntityId("ent_1"), entity_type=EntityType.CUSTOMER, dimension="customer_contact",
        action=action, approved_by="op", approved_at=NOW, seen=seen,
    )  # fmt: skip


def seen(ref: ExternalRef, email: str, version: str = "v1") -> SeenRecord:
    return SeenRecord(ref=ref, source_version=version, values={"email": email})


ONE_WAY = OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",))
CURRENT = [snapshot(HS, "a@new.example"), snapshot(NS, "a@old.example")]


def test_one_direction_plans_exactly_the_changed_field_with_old_and_new() -> None:
    plan = plan_command(command(ONE_WAY, seen(HS, "a@new.example"), seen(NS, "a@old.example")),
                        PlanInputs(default_policy(), CURRENT))  # fmt: skip
    (write,) = plan.writes
    assert plan.executable
    assert (write.ref, write.operation) == (NS, "update")
    assert [(c.field, c.old, c.new) for c in write.changes] == [("email", "a@old.example", "a@new.example")]
    assert write.before_values == {"email": "a@old.example"}


def test_a_target_changed_since_approval_makes_the_plan_stale() -> None:
    plan = plan_command(command(ONE_WAY, seen(NS, "a@old.example", version="v0")),
                        PlanInputs(default_policy(), CURRENT))  # fmt: skip
    assert plan.stale
    assert "v0 -> v1" in plan.explain()


def test_a_changed_value_under_the_same_version_is_stale_too() -> None:
    plan = plan_command(command(ONE_WAY, seen(NS, "a@older.example")), PlanInputs(default_policy(), CURRENT))
    assert plan.stale


def test_agreeing_records_plan_no_write() -> None:
    current = [snapshot(HS, "a@x.example"), snapshot(NS, "A@X.example")]
    plan = plan_command(command(ONE_WAY), PlanInputs(default_policy(), current))
    assert plan.executable
    assert plan.writes == ()


def test_a_field_the_target_cannot_write_is_invalid() -> None:
    action = OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=("no_such_field",))
    plan = plan_command(command(action), PlanInputs(default_policy(), CURRENT))
    assert [p.kind for p in plan.problems] == [ProblemKind.INVALID]


def test_policy_sync_takes_the_email_owners_value() -> None:
    plan = plan_command(command(PolicySync(fields=("email",))), PlanInputs(default_policy(), CURRENT))
    (write,) = plan.writes
    assert write.ref == NS
    assert write.expected == {"email": "a@new.example"}
    assert write.policy_rules == (default_policy().rule_id(EntityType.CUSTOMER, "email"),)


def test_creating_a_hubspot_contact_lists_its_workflow_side_effect() -> None:
    plan = plan_command(command(CreateMissing(source=System.NETSUITE, target=System.HUBSPOT)),
                        PlanInputs(default_policy(), [snapshot(NS, "a@old.example")]))  # fmt: skip
    (write,) = plan.writes
    assert (write.operation, write.system, write.expected) == (
        "create",
        System.HUBSPOT,
        {"email": "a@old.example"},
    )
    assert any("workflows" in effect.description for effect in plan.side_effects)
