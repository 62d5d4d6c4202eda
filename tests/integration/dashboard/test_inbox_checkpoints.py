"""The dashboard's inbox checkpoint on the real MongoDB-protocol server: chunked, replaced whole, pruned."""

import asyncio
from datetime import timedelta

from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.client import Document
from shared.adapters.mongo.dashboard import MongoInboxCheckpoints
from shared.adapters.mongo.dashboard.checkpoints import CHUNK_ROWS, COLLECTION, POINTER
from shared.core.dashboard.inbox import (
    OVERVIEW_GROUPS,
    InboxCheckpoint,
    InboxFilter,
    match_inbox,
    overview_of,
    row_of,
)
from tests.unit.core.dashboard.builders import NOW, discrepancy

ROWS = tuple(row_of(discrepancy(n)) for n in range(2 * CHUNK_ROWS + 7))  # three chunks, the last short


async def test_a_saved_checkpoint_reads_back_row_for_row(database: AsyncDatabase[Document]) -> None:
    checkpoints = MongoInboxCheckpoints(database)
    assert await checkpoints.load() is None

    await checkpoints.save(InboxCheckpoint(rows=ROWS, as_of=NOW), now=NOW)

    assert await checkpoints.load() == InboxCheckpoint(rows=ROWS, as_of=NOW)
    assert await database[COLLECTION].count_documents({"_id": {"$ne": POINTER}}) == 3


async def test_the_overview_of_the_default_view_reads_back_in_one_read(
    database: AsyncDatabase[Document],
) -> None:
    checkpoints = MongoInboxCheckpoints(database)
    await checkpoints.save(InboxCheckpoint(rows=ROWS, as_of=NOW), now=NOW)
    assert await checkpoints.load_overview() is None  # a checkpoint saved without one

    found = match_inbox(ROWS, InboxFilter(), now=NOW)
    overview = overview_of(
        found,
        dimensions={"customer_contact"},
        opened_by_day_and_kind={("2026-03-01", "hard_conflict"): 9},
        as_of=NOW,
    )
    await checkpoints.save(InboxCheckpoint(rows=ROWS, as_of=NOW, overview=overview), now=NOW)

    assert await checkpoints.load_overview() == overview
    assert len(overview.entries) == OVERVIEW_GROUPS and overview.groups == len(ROWS)


async def test_a_newer_save_replaces_it_and_the_older_generation_goes_once_nobody_can_be_reading_it(
    database: AsyncDatabase[Document],
) -> None:
    checkpoints = MongoInboxCheckpoints(database)
    await checkpoints.save(InboxCheckpoint(rows=ROWS, as_of=NOW), now=NOW)
    fewer = ROWS[:3]

    await checkpoints.save(InboxCheckpoint(rows=fewer, as_of=NOW + timedelta(minutes=1)), now=NOW)
    assert await checkpoints.load() == InboxCheckpoint(rows=fewer, as_of=NOW + timedelta(minutes=1))
    assert await database[COLLECTION].count_documents({"_id": {"$ne": POINTER}}) == 4  # kept for readers

    empty = InboxCheckpoint(rows=(), as_of=NOW + timedelta(minutes=20))
    await checkpoints.save(empty, now=NOW + timedelta(minutes=20))
    assert await checkpoints.load() == empty  # an empty inbox is saved too: no old rows come back
    assert await database[COLLECTION].count_documents({"_id": {"$ne": POINTER}}) == 0


async def test_replicas_saving_at_once_leave_one_whole_checkpoint(database: AsyncDatabase[Document]) -> None:
    saves = [
        InboxCheckpoint(rows=ROWS[: CHUNK_ROWS + n], as_of=NOW + timedelta(seconds=n)) for n in range(1, 5)
    ]
    await asyncio.gather(*(MongoInboxCheckpoints(database).save(save, now=NOW) for save in saves))

    assert await MongoInboxCheckpoints(database).load() in saves


async def test_a_checkpoint_of_another_row_format_is_not_read(database: AsyncDatabase[Document]) -> None:
    checkpoints = MongoInboxCheckpoints(database)
    await checkpoints.save(InboxCheckpoint(rows=ROWS[:2], as_of=NOW), now=NOW)
    await database[COLLECTION].update_one({"_id": POINTER}, {"$set": {"format": 0}})

    assert await checkpoints.load() is None


async def test_a_checkpoint_missing_a_chunk_is_not_read_as_fewer_rows(
    database: AsyncDatabase[Document],
) -> None:
    checkpoints = MongoInboxCheckpoints(database)
    await checkpoints.save(InboxCheckpoint(rows=ROWS, as_of=NOW), now=NOW)
    pointer = await database[COLLECTION].find_one({"_id": POINTER})
    assert pointer is not None
    await database[COLLECTION].delete_one({"_id": f"{pointer['generation']}#1"})

    assert await checkpoints.load() is None
