"""One contract for ``PulseSweepLog``, run against the in-memory fake and the real MongoDB-protocol server."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.mongo.pulse_sweeps import MongoPulseSweepLog
from shared.core.model import System
from shared.core.ports import PulseSweepLog
from shared.core.testing.pulse_fakes import FakePulseSweepLog
from shared.core.verification import PulseSweep
from tests.contract.conftest import scratch_database

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "mongodb"])
async def sweeps(request: pytest.FixtureRequest, unique: str) -> AsyncIterator[PulseSweepLog]:
    if request.param == "fake":
        yield FakePulseSweepLog()
        return
    async with scratch_database(request, unique) as database:
        yield MongoPulseSweepLog(database)


async def test_the_latest_sweep_replaces_the_one_before(sweeps: PulseSweepLog) -> None:
    assert await sweeps.latest() is None
    first = PulseSweep(swept_at=T0, holder="a", due=10, requested=10, backlog=0, unlinked=0)
    later = PulseSweep(
        swept_at=T0 + timedelta(seconds=30), holder="b", due=50, requested=20, backlog=30, unlinked=3,
        spent={System.HUBSPOT: 12, System.SHOPIFY: 8},
    )  # fmt: skip
    await sweeps.record(first)
    await sweeps.record(later)
    assert await sweeps.latest() == later
