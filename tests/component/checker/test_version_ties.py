"""Two observations of one record version that disagree: the link stage asks ingest to read it again."""

from datetime import timedelta

from shared.core.events import RecordObserved, RefreshRequested, caused_by, observation_id
from shared.core.model import EntityType, Surface, System
from tests.component.checker.pipeline import FakePipeline
from tests.component.checker.records import T0, hubspot_contact, observed, ref

NOW = T0 + timedelta(minutes=5)
CONTACT = ref(System.HUBSPOT, "51")


def _answer(request: RefreshRequested, email: str) -> RecordObserved:
    """Ingest's answer to ``request``: the record as read now (surface pulse)."""
    at = NOW + timedelta(seconds=3)
    message_id = observation_id(CONTACT, Surface.PULSE, refresh_request_id=request.message_id)
    return RecordObserved(
        **caused_by(request, producer="ingest", produced_at=at, message_id=message_id),
        ref=CONTACT, entity_type=EntityType.CUSTOMER, source_version=T0.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        source_updated_at=T0, observed_at=at, surface=Surface.PULSE,
        record=hubspot_contact("51", email=email),  # type: ignore[arg-type]  # JSON fixture
    )  # fmt: skip


async def test_a_slow_read_of_the_old_state_outranking_the_new_one_is_read_again_once() -> None:
    pipeline = FakePipeline(NOW)
    # Two states within one second: the webhook's read of the new state returned first, a poll page
    # that had read the old state returned later, so the old state is dated later and is stored.
    new = observed(CONTACT, hubspot_contact("51", email="jane.new@acme.example"), updated=T0,
                   observed_at=T0 + timedelta(seconds=1))  # fmt: skip
    old = observed(CONTACT, hubspot_contact("51", email="jane@acme.example"), updated=T0,
                   surface=Surface.POLL, observed_at=T0 + timedelta(seconds=2))  # fmt: skip
    await pipeline.link([new])
    report = await pipeline.link([old])

    [request] = report.rereads
    assert (request.refs, request.reason, request.surface) == ((CONTACT,), "version_tie", Surface.PULSE)
    assert request in pipeline.changes.published  # published with the batch's changes
    assert (await pipeline.link([old])).rereads == []  # a redelivery asks nothing more

    answered = await pipeline.link([_answer(request, "jane.new@acme.example")])
    assert answered.rereads == []  # an answer never asks again
    [change] = answered.changes
    assert not change.passive  # the tie, not a silent edit, made it differ from what was stored
    assert pipeline.snapshots.snapshots[CONTACT.key].values.email == "jane.new@acme.example"  # type: ignore[union-attr]


async def test_the_same_content_again_or_a_newer_version_is_no_tie() -> None:
    pipeline = FakePipeline(NOW)
    first = observed(CONTACT, hubspot_contact("51", email="jane@acme.example"), updated=T0)
    same = observed(
        CONTACT, hubspot_contact("51", email="jane@acme.example"), updated=T0, surface=Surface.POLL
    )
    newer = observed(
        CONTACT, hubspot_contact("51", email="jane.new@acme.example", updated=T0 + timedelta(seconds=1)),
        updated=T0 + timedelta(seconds=1), surface=Surface.POLL,
    )  # fmt: skip
    await pipeline.link([first])
    assert (await pipeline.link([same])).rereads == []
    assert (await pipeline.link([newer])).rereads == []
