"""The pulse scheduler over in-memory ports: what it requests, within which allowance, under which lease."""

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from services.checker.pulse import PulseMetrics, PulseScheduler, PulseSettings, schedule_for
from shared.core.events import RefreshRequested
from shared.core.model import EntityId, EntityType, ExternalRef, Surface, System
from shared.core.policy import default_policy
from shared.core.testing import FakeLeaseStore, RecordingPublisher
from shared.core.testing.pulse_fakes import (
    FakeCheckPriorities,
    FakeCheckStateStore,
    FakeLinkedRecords,
    FakePulseSweepLog,
)
from shared.core.verification import VerificationOutcome, VerificationState

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
POLICY = default_policy()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def refs(n: int, *systems: System) -> tuple[ExternalRef, ...]:
    types = {System.HUBSPOT: "contacts", System.SHOPIFY: "customers", System.NETSUITE: "customer"}
    return tuple(ExternalRef(system=s, object_type=types[s], external_id=str(n)) for s in systems)


class World:
    def __init__(self, allowance: dict[System, int] | None = None, **settings: object) -> None:
        self.clock = Clock()
        self.states = FakeCheckStateStore()
        self.priorities = FakeCheckPriorities()
        self.sweeps = FakePulseSweepLog()
        self.links = FakeLinkedRecords()
        self.publisher = RecordingPublisher()
        self.leases = FakeLeaseStore()
        self.settings = PulseSettings.model_validate({"lease_ttl_seconds": 60, **settings})
        self.allowance = allowance or {System.HUBSPOT: 100, System.SHOPIFY: 100, System.NETSUITE: 100}
        self.metrics = PulseMetrics(CollectorRegistry())

    def scheduler(self, holder: str = "replica-a") -> PulseScheduler:
        return PulseScheduler(
            states=self.states, links=self.links, publisher=self.publisher, leases=self.leases, policy=POLICY,
            settings=self.settings, allowance=self.allowance, holder=holder, priorities=self.priorities, sweeps=self.sweeps,
            metrics=self.metrics, clock=self.clock,
        )  # fmt: skip

    async def pair(
        self,
        n: int,
        dimension: str,
        *systems: System,
        verified: datetime | None = None,
        override: float | None = None,
    ) -> None:
        state = VerificationState(
            entity_id=EntityId(f"ent_{n}"), dimension=dimension, last_verified_at=verified,
            outcome=VerificationOutcome.CONSISTENT if verified else VerificationOutcome.UNKNOWN,
        )  # fmt: skip
        await self.states.save_all([(EntityType.CUSTOMER, state)])
        await self.priorities.set(EntityId(f"ent_{n}"), dimension, override)
        self.links.links[EntityId(f"ent_{n}")] = refs(n, *systems)

    def requested(self) -> list[tuple[str | None, str | None]]:
        published = [m for m in self.publisher.published if isinstance(m, RefreshRequested)]
        return [(m.entity_id, m.dimension) for m in published]


async def test_publishes_a_pulse_refresh_for_each_due_pair_and_marks_it_requested() -> None:
    world = World()
    await world.pair(1, "customer_contact", System.HUBSPOT, System.NETSUITE)
    await world.pair(
        2, "customer_contact", System.HUBSPOT, verified=T0 - timedelta(minutes=5)
    )  # not due (6 h)
    report = await world.scheduler().sweep()
    assert world.requested() == [("ent_1", "customer_contact")]
    request = report.requested[0]
    assert request.surface is Surface.PULSE
    assert request.reason == "pulse"
    assert [r.key for r in request.refs] == ["hubspot:contacts:1", "netsuite:customer:1"]
    assert world.states.requested[(EntityId("ent_1"), "customer_contact")][1] == T0 + timedelta(seconds=300)
    assert (await world.scheduler().sweep()).requested == ()  # asked already: skipped until overdue
    world.clock.now = T0 + timedelta(seconds=301)
    assert len((await world.scheduler().sweep()).requested) == 1  # no answer came: asked again


async def test_ranks_by_policy_priority_and_operator_override_within_the_request_limit() -> None:
    world = World(max_requests_per_sweep=2)
    stale = T0 - timedelta(days=2)
    await world.pair(1, "customer_account", System.HUBSPOT, verified=stale)  # priority 6
    await world.pair(2, "presence", System.HUBSPOT, verified=stale)  # priority 8
    await world.pair(3, "customer_account", System.HUBSPOT, verified=stale, override=10.0)
    report = await world.scheduler().sweep()
    assert world.requested() == [("ent_3", "customer_account"), ("ent_2", "presence")]
    assert report.backlog == 1
    [sweep] = world.sweeps.recorded  # what the health page shows
    assert (sweep.holder, sweep.due, sweep.requested, sweep.backlog, sweep.swept_at) == (
        "replica-a",
        3,
        2,
        1,
        T0,
    )
    assert sweep.spent == {System.HUBSPOT: 2}


async def test_never_asks_a_platform_for_more_than_its_allowance() -> None:
    world = World(allowance={System.HUBSPOT: 2, System.SHOPIFY: 100, System.NETSUITE: 100})
    for n in range(1, 4):
        await world.pair(n, "presence", System.HUBSPOT, System.SHOPIFY)
    await world.pair(4, "presence", System.SHOPIFY)
    report = await world.scheduler().sweep()
    assert report.spent == {System.HUBSPOT: 2, System.SHOPIFY: 3}
    assert report.backlog == 1
    assert len(report.requested) == 3  # the Shopify-only pair fits behind the exhausted HubSpot ones


async def test_only_the_lease_holder_sweeps_and_a_standby_takes_over_when_it_lapses() -> None:
    world = World()
    await world.pair(1, "presence", System.HUBSPOT)
    await world.pair(2, "presence", System.SHOPIFY)
    active, standby = world.scheduler("replica-a"), world.scheduler("replica-b")
    assert (await active.sweep()).held
    assert not (await standby.sweep()).held
    assert len(world.requested()) == 2
    await world.pair(3, "presence", System.HUBSPOT)
    world.clock.now = T0 + timedelta(seconds=59)
    assert not (await standby.sweep()).held  # lease still valid (60 s ttl)
    world.clock.now = T0 + timedelta(seconds=61)
    assert (await standby.sweep()).held
    assert world.requested()[-1] == ("ent_3", "presence")
    assert not (await active.sweep()).held


async def test_pairs_without_linked_records_are_counted_not_requested() -> None:
    world = World()
    await world.pair(1, "presence")
    report = await world.scheduler().sweep()
    assert (report.requested, report.unlinked) == ((), 1)


async def test_stop_releases_the_lease_so_a_standby_takes_over_at_once() -> None:
    world = World(sweep_interval_seconds=0.01)
    active = world.scheduler("replica-a")
    active.start()
    await active.stop()
    assert (await world.scheduler("replica-b").sweep()).held


def test_schedules_come_from_the_policy_per_entity_type() -> None:
    product = schedule_for(POLICY, EntityType.PRODUCT, "product_inventory")
    assert (product.cadence, product.priority) == (timedelta(minutes=15), 8.0)
    assert schedule_for(POLICY, EntityType.PRODUCT, "presence").dimension == "product:presence"
    assert schedule_for(POLICY, EntityType.ORDER, "presence").priority == 8.0
