from datetime import UTC, datetime, timedelta

import pytest

from shared.core.events import OneDirectionSync, SyncCommand, first_in_chain
from shared.core.model import EntityId, EntityType, System
from shared.core.sync import CommandRecord, CommandState, IllegalTransition

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def failed_record() -> CommandRecord:
    command = SyncCommand(
        **first_in_chain(producer="test", produced_at=NOW), command_id="c1", idempotency_key="k1",
        entity_id=EntityId("ent_1"), entity_type=EntityType.CUSTOMER, dimension="customer_contact",
        action=OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",)),
        approved_by="op", approved_at=NOW,
    )  # fmt: skip
    record = CommandRecord(command=command, received_at=NOW, updated_at=NOW).begin_attempt(NOW)
    return record.end_attempt(CommandState.FAILED, "failed", NOW, "503")


def test_a_retrying_command_is_due_only_from_its_next_attempt_time() -> None:
    retrying = failed_record().retry_at(NOW + timedelta(seconds=30), NOW)

    assert retrying.state is CommandState.RETRYING
    assert not retrying.due(NOW + timedelta(seconds=29))
    assert retrying.due(NOW + timedelta(seconds=30))


def test_starting_the_next_attempt_clears_the_retry_schedule() -> None:
    requeued = failed_record().retry_at(NOW, NOW).model_copy(update={"requeued_at": NOW})

    resumed = requeued.begin_attempt(NOW + timedelta(seconds=1))

    assert (resumed.state, resumed.next_attempt_at, resumed.requeued_at) == (
        CommandState.APPLYING,
        None,
        None,
    )
    assert [a.number for a in resumed.attempts] == [1, 2]


def test_only_a_failed_command_can_be_scheduled_for_a_retry() -> None:
    with pytest.raises(IllegalTransition):
        failed_record().retry_at(NOW, NOW).retry_at(NOW, NOW)


def test_a_final_command_is_never_due() -> None:
    dead = failed_record().moved(CommandState.DEAD, NOW)

    assert not dead.due(NOW)
