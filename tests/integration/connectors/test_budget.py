"""The shared API budget on a real MongoDB-protocol server (FerretDB locally): two budgets on one
collection stand for two processes."""

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from shared.adapters.budget import (
    ApiBudget,
    BudgetPolicy,
    ConcurrencyLimit,
    LeakyBucket,
    Limit,
    Priority,
    WindowLimit,
)
from shared.adapters.metrics import ConnectorMetrics
from shared.adapters.platforms.budget_store import Document, MongoBudgetStore
from shared.core.errors import RateLimited
from shared.core.model import System


class FakeTime:
    """A wall clock the test moves; sleeping advances it."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def collection(mongo_uri: str, unique: str) -> AsyncIterator[AsyncCollection[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri)
    database = client[f"test_budget_{unique}"]
    yield database["api_budget"]
    await client.drop_database(database.name)
    await client.close()


@pytest.fixture
def store(collection: AsyncCollection[Document]) -> MongoBudgetStore:
    return MongoBudgetStore(collection)


def _budget(store: MongoBudgetStore, clock: FakeTime, limits: list[Limit], **policy: float) -> ApiBudget:
    return ApiBudget(
        system=System.HUBSPOT,
        account="62515",
        limits=limits,
        store=store,
        policy=BudgetPolicy(**{"operator_reserve": 0.2, "max_wait": 1.0, **policy}),  # type: ignore[arg-type]
        clock=clock,
        sleep=clock.sleep,
    )


async def _take(
    budget: ApiBudget, priority: Priority = Priority.BACKGROUND, operation: str = "default"
) -> None:
    async with budget.use(priority, operation):
        pass


async def test_a_window_is_shared_by_processes_and_keeps_headroom_for_operators(
    store: MongoBudgetStore,
) -> None:
    clock = FakeTime()
    limits: list[Limit] = [WindowLimit("burst", 5, 10.0, slot=1.0)]
    ingest, syncer = _budget(store, clock, limits), _budget(store, clock, limits)
    for budget in (ingest, syncer, ingest, syncer):
        await _take(budget)
    with pytest.raises(RateLimited):
        await _take(ingest)  # background sees 4 of 5
    await _take(syncer, Priority.OPERATOR)  # the reserve
    with pytest.raises(RateLimited):
        await _take(syncer, Priority.OPERATOR)
    clock.now += 11.0
    await _take(ingest)


@pytest.fixture
async def processes(mongo_uri: str, unique: str) -> AsyncIterator[list[MongoBudgetStore]]:
    """The budget's store as six processes see it: each its own client (FerretDB 1.24 loses
    concurrent ``$inc``s on one document, which such processes would send)."""
    clients: list[AsyncMongoClient[Document]] = [AsyncMongoClient(mongo_uri) for _ in range(6)]
    yield [MongoBudgetStore(client[f"test_budget_processes_{unique}"]["api_budget"]) for client in clients]
    await clients[0].drop_database(f"test_budget_processes_{unique}")
    for client in clients:
        await client.close()


async def test_processes_taking_a_window_at_once_never_overspend_it(
    processes: list[MongoBudgetStore],
) -> None:
    clock = FakeTime()
    limits: list[Limit] = [WindowLimit("burst", 20, 60.0, slot=60.0)]
    budgets = [_budget(store, clock, limits, max_wait=0.01) for store in processes]

    taken = await asyncio.gather(*(_take(budgets[n % 6]) for n in range(60)), return_exceptions=True)

    granted = sum(1 for outcome in taken if outcome is None)
    assert all(outcome is None or isinstance(outcome, RateLimited) for outcome in taken)
    assert 1 <= granted <= 16, "the background share of 20"
    assert await processes[0].total([f"hubspot:62515:burst:{int(clock.now // 60)}"]) == granted


async def test_processes_taking_leases_at_once_never_hold_more_than_the_slots(
    processes: list[MongoBudgetStore],
) -> None:
    clock = FakeTime()
    limits: list[Limit] = [ConcurrencyLimit("concurrency", 5, 30.0)]
    budgets = [_budget(store, clock, limits, max_wait=5.0) for store in processes]
    in_flight, most = 0, 0

    async def call(budget: ApiBudget) -> None:
        nonlocal in_flight, most
        async with budget.use(Priority.OPERATOR):
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1

    await asyncio.gather(*(call(budgets[n % 6]) for n in range(30)))

    assert most <= 5


async def test_a_window_waits_for_room_when_it_comes_within_max_wait(store: MongoBudgetStore) -> None:
    clock = FakeTime()
    budget = _budget(
        store, clock, [WindowLimit("search", 2, 1.0, slot=0.25)], max_wait=5.0, operator_reserve=0.0
    )
    start = clock.now
    for _ in range(3):
        await _take(budget)
    assert clock.now - start >= 1.0  # the third call waited the window out


async def test_limits_for_one_operation_leave_other_calls_alone(store: MongoBudgetStore) -> None:
    clock = FakeTime()
    budget = _budget(
        store,
        clock,
        [WindowLimit("search", 1, 1.0, slot=1.0, operation="search")],
        operator_reserve=0.0,
        max_wait=0.5,
    )
    await _take(budget, operation="search")
    for _ in range(5):
        await _take(budget)
    with pytest.raises(RateLimited):
        await _take(budget, operation="search")


async def test_a_leaky_bucket_refuses_when_full_and_drains_over_time(store: MongoBudgetStore) -> None:
    clock = FakeTime()
    limits: list[Limit] = [LeakyBucket("rest", 4, 2.0)]
    first, second = _budget(store, clock, limits, max_wait=0.1), _budget(store, clock, limits, max_wait=0.1)
    for budget in (first, second, first):
        await _take(budget)
    with pytest.raises(RateLimited) as raised:
        await _take(second)  # background: 3 of 4
    assert raised.value.retry_after == pytest.approx(0.5)
    await _take(second, Priority.OPERATOR)
    clock.now += 1.0  # two drops leak away
    await _take(first)


async def test_concurrency_leases_cap_calls_in_flight_across_processes(store: MongoBudgetStore) -> None:
    clock = FakeTime()
    limits: list[Limit] = [ConcurrencyLimit("concurrency", 2, 30.0)]
    one, two = _budget(store, clock, limits, max_wait=0.2), _budget(store, clock, limits, max_wait=0.2)
    async with one.use(Priority.OPERATOR), two.use(Priority.OPERATOR):
        with pytest.raises(RateLimited):
            await _take(one, Priority.OPERATOR)
    async with one.use(Priority.OPERATOR):
        await _take(two, Priority.OPERATOR)


class CountingStore(MongoBudgetStore):
    """Counts lease claims: each one is a write the MongoDB server has to serve."""

    claims = 0

    async def claim_lease(self, keys: Sequence[str], holder: str, now: float, until: float) -> str | None:
        self.claims += 1
        return await super().claim_lease(keys, holder, now, until)


async def test_background_callers_of_one_process_queue_for_leases_instead_of_polling_the_store(
    collection: AsyncCollection[Document],
) -> None:
    counting = CountingStore(collection)
    budget = _budget(counting, FakeTime(), [ConcurrencyLimit("concurrency", 5, 30.0)], max_wait=5.0)
    in_flight, most = 0, 0

    async def call() -> None:
        nonlocal in_flight, most
        async with budget.use(Priority.BACKGROUND):
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.02)
            in_flight -= 1

    await asyncio.gather(*(call() for _ in range(24)))
    assert most == 4, "the background share of five slots"
    assert counting.claims == 24, "one claim per call: waiters wait in the process, not on the store"


async def test_a_lease_of_a_dead_holder_lapses(store: MongoBudgetStore) -> None:
    clock = FakeTime()
    limits: list[Limit] = [ConcurrencyLimit("concurrency", 1, 30.0)]
    dead, alive = _budget(store, clock, limits, max_wait=0.2), _budget(store, clock, limits, max_wait=0.2)
    held = dead.use(Priority.OPERATOR)
    await held.__aenter__()  # never exited: the process died holding it
    with pytest.raises(RateLimited):
        await _take(alive, Priority.OPERATOR)
    clock.now += 31.0
    await _take(alive, Priority.OPERATOR)


async def test_budget_use_is_exported_as_prometheus_metrics(store: MongoBudgetStore) -> None:
    clock = FakeTime()
    registry = CollectorRegistry()
    budget = ApiBudget(
        system=System.SHOPIFY,
        account="concord-demo",
        limits=[LeakyBucket("rest", 4, 2.0)],
        store=store,
        policy=BudgetPolicy(max_wait=0.1),
        metrics=ConnectorMetrics(registry),
        clock=clock,
        sleep=clock.sleep,
    )
    await _take(budget)
    await _take(budget, Priority.OPERATOR)
    labels = {"system": "shopify", "account": "concord-demo"}
    assert (
        registry.get_sample_value("concord_api_budget_granted_total", {**labels, "priority": "background"})
        == 1
    )
    assert (
        registry.get_sample_value("concord_api_budget_granted_total", {**labels, "priority": "operator"}) == 1
    )
    assert registry.get_sample_value("concord_api_budget_usage_ratio", {**labels, "limit": "rest"}) == 0.5
