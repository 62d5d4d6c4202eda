import pytest
from pydantic import ValidationError

from shared.core.events import (
    CreateMissing,
    OneDirectionSync,
    PerFieldSync,
    PolicySync,
    SeenRecord,
    SyncCommand,
    SyncResult,
)
from shared.core.model import System
from tests.unit.core.events.examples import HUBSPOT_REF, SHOPIFY_REF, sync_command, sync_result


def _command(**fields: object) -> SyncCommand:
    return SyncCommand.model_validate({**sync_command().model_dump(), **fields})


def _result(**fields: object) -> SyncResult:
    return SyncResult.model_validate({**sync_result().model_dump(), **fields})


@pytest.mark.parametrize(
    ("action_class", "extra"), [(OneDirectionSync, {"fields": ["email"]}), (CreateMissing, {})]
)
def test_a_sync_needs_two_different_systems(
    action_class: type[OneDirectionSync | CreateMissing], extra: dict[str, object]
) -> None:
    with pytest.raises(ValidationError, match="different systems"):
        action_class.model_validate({"source": "hubspot", "target": "hubspot", **extra})


@pytest.mark.parametrize(
    ("action_class", "empty"),
    [
        (OneDirectionSync, {"source": "hubspot", "target": "shopify", "fields": []}),
        (PolicySync, {"fields": []}),
        (PerFieldSync, {"choices": {}}),
    ],
)
def test_a_sync_names_at_least_one_field(action_class: type[object], empty: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        action_class.model_validate(empty)  # type: ignore[attr-defined]  # every parametrized class is a model


def test_an_action_is_chosen_by_its_kind() -> None:
    command = _command(action={"kind": "per_field", "choices": {"email": "hubspot", "phone": "netsuite"}})

    assert command.action == PerFieldSync(choices={"email": System.HUBSPOT, "phone": System.NETSUITE})


def test_an_unknown_action_kind_is_rejected() -> None:
    with pytest.raises(ValidationError, match="kind"):
        _command(action={"kind": "teleport"})


def test_an_auto_approved_command_names_its_policy() -> None:
    with pytest.raises(ValidationError, match="names the policy"):
        _command(auto_approved=True, policy=None)


def test_a_discrepancy_revision_needs_the_discrepancy() -> None:
    with pytest.raises(ValidationError, match="needs the discrepancy id"):
        _command(discrepancy_id=None)


def test_what_the_approver_saw_lists_each_record_once() -> None:
    seen = SeenRecord(ref=HUBSPOT_REF, source_version="1", values={"email": "a@b.c"})

    with pytest.raises(ValidationError, match="seen must not repeat"):
        _command(seen=(seen, seen))


def test_what_the_approver_saw_keeps_empty_values_apart_from_absent_ones() -> None:
    seen = _command(seen=(SeenRecord(ref=SHOPIFY_REF, source_version=None, values={"phone": None}),)).seen

    assert seen[0].values == {"phone": None}
    assert "email" not in seen[0].values


def test_a_result_lists_the_records_it_wrote() -> None:
    assert sync_result().written_refs == (SHOPIFY_REF,)


@pytest.mark.parametrize("outcome", ["failed", "dead", "rejected_stale"])
def test_an_unsuccessful_result_explains_why(outcome: str) -> None:
    with pytest.raises(ValidationError, match="explains why"):
        _result(outcome=outcome, writes=(), error=None)


def test_a_stale_command_writes_nothing() -> None:
    with pytest.raises(ValidationError, match="writes nothing"):
        _result(outcome="rejected_stale", error="target changed since approval")


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValidationError, match="attempt"):
        _result(attempt=0)
