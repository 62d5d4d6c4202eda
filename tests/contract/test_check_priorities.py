"""One contract for ``CheckPriorities``, run against the in-memory fake and the real MongoDB-protocol server."""

from collections.abc import AsyncIterator

import pytest

from shared.adapters.mongo.check_priorities import MongoCheckPriorities
from shared.core.errors import InvalidInput
from shared.core.model import EntityId
from shared.core.ports import CheckPriorities
from shared.core.testing.pulse_fakes import FakeCheckPriorities
from tests.contract.conftest import scratch_database


@pytest.fixture(params=["fake", "mongodb"])
async def priorities(request: pytest.FixtureRequest, unique: str) -> AsyncIterator[CheckPriorities]:
    if request.param == "fake":
        yield FakeCheckPriorities()
        return
    async with scratch_database(request, unique) as database:
        yield MongoCheckPriorities(database)


async def test_a_set_priority_is_raised_replaced_and_cleared(priorities: CheckPriorities) -> None:
    assert await priorities.raised() == {}
    await priorities.set(EntityId("ent_a"), "customer_contact", 100.0)
    await priorities.set(EntityId("ent_b"), "presence", 3.0)
    await priorities.set(EntityId("ent_a"), "customer_contact", 50.0)
    assert await priorities.raised() == {
        (EntityId("ent_a"), "customer_contact"): 50.0,
        (EntityId("ent_b"), "presence"): 3.0,
    }
    await priorities.set(EntityId("ent_a"), "customer_contact", None)
    await priorities.set(EntityId("ent_c"), "presence", None)  # clearing an unset pair is no error
    assert await priorities.raised() == {(EntityId("ent_b"), "presence"): 3.0}


@pytest.mark.parametrize("priority", [0.0, -1.0, float("nan")])
async def test_a_priority_must_be_greater_than_zero(priorities: CheckPriorities, priority: float) -> None:
    with pytest.raises(InvalidInput, match="greater than 0"):
        await priorities.set(EntityId("ent_a"), "presence", priority)
    assert await priorities.raised() == {}
