"""Concurrency with a ceiling: the stores behind the ports (FerretDB especially) fail under floods."""

import asyncio
from collections.abc import Awaitable, Sequence
from typing import TypeVar

T = TypeVar("T")

IN_FLIGHT = 8
"""Port calls one stage keeps in flight at once (FerretDB deadlocks at about 100 per database)."""


async def gather_bounded(calls: Sequence[Awaitable[T]], *, limit: int = IN_FLIGHT) -> list[T]:
    """Await ``calls`` with at most ``limit`` running at once; results in the order of ``calls``."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Awaitable[T]) -> T:
        async with gate:
            return await call

    return list(await asyncio.gather(*(one(call) for call in calls)))
