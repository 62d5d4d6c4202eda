from shared.core.dashboard.approval import action_of_suggestion, build_command, idempotency_key
from shared.core.events import LinkRecord, OneDirectionSync, PolicySync, discrepancy_id_for
from shared.core.findings import Ignore, LinkRecords, SyncDirection
from shared.core.model import System
from tests.unit.core.dashboard.builders import NOW, discrepancy, ref, snapshot

CURRENT = [
    snapshot(System.HUBSPOT, "h1", "c1@acme.example", version="7"),
    snapshot(System.NETSUITE, "n1", "old1@acme.example", version="3"),
    snapshot(System.SHOPIFY, "s1", "c1@acme.example", version="9"),
]


def test_a_command_records_the_approver_the_revision_and_what_they_saw_of_the_records_involved() -> None:
    found = discrepancy(1)
    action = OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",))
    command = build_command(
        found, action, approved_by="olivia", current=CURRENT, now=NOW, reason="owner wins"
    )
    assert (command.approved_by, command.approved_at, command.reason) == ("olivia", NOW, "owner wins")
    assert (command.discrepancy_revision, command.policy) == (1, "default@1:customer.email")
    assert command.discrepancy_id == discrepancy_id_for(found.entity_id, found.dimension, found.opened_at)
    assert [(s.ref.key, s.source_version, s.values) for s in command.seen] == [
        ("hubspot:customer:h1", "7", {"email": "c1@acme.example"}),
        ("netsuite:customer:n1", "3", {"email": "old1@acme.example"}),
    ]


def test_a_policy_sync_sees_every_live_record() -> None:
    command = build_command(
        discrepancy(1), PolicySync(fields=("email",)), approved_by="o", current=CURRENT, now=NOW
    )
    assert {s.ref.system for s in command.seen} == set(System)


def test_the_same_decision_on_the_same_revision_has_one_idempotency_key() -> None:
    action = PolicySync(fields=("email",))
    assert idempotency_key(discrepancy(1), action) == idempotency_key(discrepancy(1), action)
    assert idempotency_key(discrepancy(1), action) != idempotency_key(discrepancy(2), action)
    first = build_command(discrepancy(1), action, approved_by="o", current=CURRENT, now=NOW)
    second = build_command(discrepancy(1), action, approved_by="o", current=CURRENT, now=NOW)
    assert first.command_id != second.command_id and first.idempotency_key == second.idempotency_key


def test_suggestions_become_actions_except_those_that_need_a_choice() -> None:
    direction = SyncDirection(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",))
    assert action_of_suggestion(direction) == OneDirectionSync(
        source=System.HUBSPOT, target=System.NETSUITE, fields=("email",)
    )
    assert action_of_suggestion(LinkRecords(ref=ref(System.SHOPIFY, "s9"), confidence=0.8)) == LinkRecord(
        ref=ref(System.SHOPIFY, "s9")
    )
    assert action_of_suggestion(Ignore()) is None
