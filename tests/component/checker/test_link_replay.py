"""A link batch interrupted between storing its snapshots and publishing its changes loses nothing."""

from datetime import timedelta

import pytest

from shared.core.model import Surface, System
from tests.component.checker.pipeline import FakePipeline
from tests.component.checker.records import T0, deleted, hubspot_contact, observed, ref

LATER = T0 + timedelta(hours=2)
NOW = T0 + timedelta(days=1)


async def test_a_stored_but_unpublished_observation_publishes_its_change_when_redelivered() -> None:
    pipeline = FakePipeline(NOW)
    first = observed(ref(System.HUBSPOT, "51"), hubspot_contact("51", email="jane@acme.example"), updated=T0)
    await pipeline.run(first)
    change = observed(
        ref(System.HUBSPOT, "51"), hubspot_contact("51", email="jane.new@acme.example", updated=LATER),
        updated=LATER,
    )  # fmt: skip
    pipeline.changes.fail_with = ConnectionError("broker down")
    with pytest.raises(ConnectionError):
        await pipeline.link([change])
    assert pipeline.snapshots.snapshots["hubspot:contacts:51"].values.email == "jane.new@acme.example"  # type: ignore[union-attr]

    pipeline.changes.fail_with = None
    redelivered = await pipeline.link([change])

    assert redelivered.stale == 0
    assert [(c.cause, c.changed_fields) for c in redelivered.changes] == [(change.message_id, ())]


async def test_a_redelivered_observation_already_published_is_a_duplicate_not_a_replay() -> None:
    pipeline = FakePipeline(NOW)
    message = observed(
        ref(System.HUBSPOT, "51"), hubspot_contact("51", email="jane@acme.example"), updated=T0
    )
    await pipeline.link([message])
    again = await pipeline.link([message])
    assert (again.duplicates, again.changes) == (1, [])


async def test_the_same_observation_twice_in_one_batch_publishes_one_change() -> None:
    pipeline = FakePipeline(NOW)
    message = observed(
        ref(System.HUBSPOT, "51"), hubspot_contact("51", email="jane@acme.example"), updated=T0
    )
    report = await pipeline.link([message, message])
    assert (len(report.changes), report.stale) == (1, 1)


async def test_a_stored_but_unpublished_deletion_publishes_its_change_when_redelivered() -> None:
    pipeline = FakePipeline(NOW)
    record = ref(System.HUBSPOT, "51")
    await pipeline.run(observed(record, hubspot_contact("51", email="jane@acme.example"), updated=T0))
    deletion = deleted(record, at=LATER)
    pipeline.changes.fail_with = ConnectionError("broker down")
    with pytest.raises(ConnectionError):
        await pipeline.link([deletion])
    assert pipeline.snapshots.snapshots["hubspot:contacts:51"].deleted

    pipeline.changes.fail_with = None
    redelivered = await pipeline.link([deletion])

    assert [c.cause for c in redelivered.changes] == [deletion.message_id]
    assert redelivered.stale == 0


async def test_a_second_report_of_a_stored_deletion_is_stale() -> None:
    pipeline = FakePipeline(NOW)
    record = ref(System.HUBSPOT, "51")
    await pipeline.run(observed(record, hubspot_contact("51", email="jane@acme.example"), updated=T0))
    await pipeline.link([deleted(record, at=LATER)])
    polled = deleted(record, at=LATER).model_copy(update={"surface": Surface.POLL, "message_id": "poll-51"})
    again = await pipeline.link([polled])
    assert (again.changes, again.stale) == ([], 1)
