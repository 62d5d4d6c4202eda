"""Both stages on fakes: a Concord write's echo opens nothing; a different value inside the window is a
hard conflict carrying both timelines, and stays one after the window until the platforms agree."""

from datetime import timedelta

from shared.core.echo import is_echo_conflict
from shared.core.events import DiscrepancyOpened, DiscrepancyResolved, RecordObserved, observation_id
from shared.core.findings import DiscrepancyKind, PerFieldChoice
from shared.core.model import EntityId, Surface, System
from shared.core.ports import ExpectedWrite
from tests.component.checker.pipeline import FakePipeline
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    netsuite_customer,
    observed,
    ref,
    shopify_customer,
)

NOW = T0 + timedelta(days=1)
NETSUITE = ref(System.NETSUITE, "107")


async def _agreeing_customer(pipeline: FakePipeline) -> EntityId:
    await pipeline.run(
        observed(ref(System.HUBSPOT, "51"), hubspot_contact("51", email="jane@acme.example"), updated=T0),
        observed(ref(System.SHOPIFY, "7001"), shopify_customer("7001", email="jane@acme.example"), updated=T0),
        observed(NETSUITE, netsuite_customer("107", email="jane@acme.example", names="shopify:7001"), updated=T0),
    )  # fmt: skip
    return pipeline.entities.links[NETSUITE.key].entity_id


async def _concord_writes_netsuite(
    pipeline: FakePipeline, entity_id: EntityId, first_name: str
) -> ExpectedWrite:
    write = ExpectedWrite(
        write_id="w-1", command_id="cmd-1", ref=NETSUITE, entity_id=entity_id,
        expected={"first_name": first_name}, provenance_tag="concord:w-1", written_at=NOW - timedelta(seconds=30),
    )  # fmt: skip
    assert await pipeline.sync_writes.record_expected_write(write)
    return write


def _netsuite_shows(first: str) -> object:
    updated = NOW - timedelta(seconds=20)
    record = netsuite_customer(
        "107", email="jane@acme.example", first=first, names="shopify:7001", updated=updated
    )
    return observed(NETSUITE, record, updated=updated, observed_at=NOW - timedelta(seconds=10))


async def test_the_echo_of_a_concord_write_opens_nothing_and_verifies_the_write() -> None:
    pipeline = FakePipeline(NOW)
    entity_id = await _concord_writes_netsuite(pipeline, await _agreeing_customer(pipeline), "Janet")
    events = await pipeline.run(_netsuite_shows("JANET"))  # type: ignore[arg-type]
    assert events == []
    assert pipeline.sync_writes.writes["w-1"].verified_at == NOW
    assert entity_id


async def test_a_different_value_inside_the_echo_window_opens_a_hard_conflict_with_both_timelines() -> None:
    pipeline = FakePipeline(NOW)
    write = await _concord_writes_netsuite(pipeline, await _agreeing_customer(pipeline), "Janet")
    events = await pipeline.run(_netsuite_shows("Jo"))  # type: ignore[arg-type]

    (opened,) = [e for e in events if isinstance(e, DiscrepancyOpened)]
    finding = opened.finding
    assert (finding.dimension, finding.kind, finding.fields) == (
        "customer_contact", DiscrepancyKind.HARD_CONFLICT, ("first_name",),
    )  # fmt: skip
    assert is_echo_conflict(finding) and finding.verdict.auto_approvable is False
    assert finding.suggested_actions[0] == PerFieldChoice(fields=("first_name",))
    netsuite = {(v.value, v.surface): v for v in finding.values if v.system is System.NETSUITE}
    concord = netsuite[("Janet", None)]
    assert (concord.source_updated_at, concord.observed_at) == (write.written_at, None)
    other = netsuite[("Jo", Surface.WEBHOOK)]
    assert (other.source_updated_at, other.observed_at) == (
        NOW - timedelta(seconds=20),
        NOW - timedelta(seconds=10),
    )
    assert {(v.system, v.value) for v in finding.values if v.system is not System.NETSUITE} >= {
        (System.HUBSPOT, "Jane")
    }
    assert pipeline.sync_writes.writes["w-1"].verified_at is None


async def test_the_conflict_stays_hard_after_the_window_and_resolves_when_the_platforms_agree() -> None:
    pipeline = FakePipeline(NOW)
    await _concord_writes_netsuite(pipeline, await _agreeing_customer(pipeline), "Janet")
    (opened,) = [e for e in await pipeline.run(_netsuite_shows("Jo")) if isinstance(e, DiscrepancyOpened)]  # type: ignore[arg-type]

    pipeline.now = NOW + timedelta(hours=1)
    stale = _netsuite_shows("Jo")
    assert isinstance(stale, RecordObserved)
    pulse = stale.model_copy(
        update={"surface": Surface.PULSE, "observed_at": pipeline.now,
                "message_id": observation_id(NETSUITE, Surface.PULSE, refresh_request_id="refresh-1")}
    )  # fmt: skip
    assert await pipeline.run(pulse) == [], "still the same hard conflict: nothing changed"

    fixed_at = pipeline.now + timedelta(minutes=1)
    fix = observed(
        NETSUITE, netsuite_customer("107", email="jane@acme.example", names="shopify:7001", updated=fixed_at),
        updated=fixed_at,
    )  # fmt: skip
    pipeline.now = fixed_at + timedelta(seconds=5)
    resolved = [e for e in await pipeline.run(fix) if isinstance(e, DiscrepancyResolved)]
    assert [e.discrepancy_id for e in resolved] == [opened.discrepancy_id]
