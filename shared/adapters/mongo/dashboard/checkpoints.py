"""``inbox_checkpoints``: the dashboard's last full inbox scan, packed, so a starting server renders at once.

Why: FerretDB decodes every document it scans, so reading 100,000 ``inbox_rows`` takes about 50 s,
while a few dozen documents holding the same rows as compressed JSON read by ``_id`` in about a second
(and decode into rows in about two more). A starting dashboard shows the checkpoint's rows (marked
with their age) while its own scan runs.

Decoding 100,000 rows still takes seconds, so the pointer also carries the default view's overview
(``InboxOverview``: its first groups, counts and chart data, compressed JSON of a few hundred rows),
which a starting server renders after one read while it decodes the rows.

Layout: first the chunk documents ``<generation>#<n>`` (``rows``: a zlib-compressed JSON array of up to
``CHUNK_ROWS`` rows), then the pointer ``current`` (generation, chunk count, ``as_of``, row format, and
``overview`` when the checkpoint has one) replaced whole. Only inserts and one whole-document replace, because several dashboard replicas may
save at once and FerretDB does not isolate conditional updates: the last pointer wins and every
generation is complete in itself. Other generations are deleted once older than ``RETAIN``, which gives
a reader of the previous pointer time to read its chunks (and it re-reads the pointer once otherwise).
"""

import asyncio
import logging
import secrets
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

from bson import Binary
from pydantic import TypeAdapter, ValidationError
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.adapters.mongo.client import Document
from shared.core.dashboard.inbox import InboxCheckpoint, InboxOverview, InboxRow

COLLECTION = "inbox_checkpoints"
POINTER = "current"
CHUNK_ROWS = 5_000
RETAIN = timedelta(minutes=10)
READS_IN_FLIGHT = 4
ROW_FORMAT = 1
"""Raise it when ``InboxRow`` changes shape; a checkpoint of another format is not read (the scan is)."""

_log = logging.getLogger(__name__)


@cache
def _rows_adapter() -> TypeAdapter[list[InboxRow]]:
    return TypeAdapter(list[InboxRow])


class MongoInboxCheckpoints:
    """Save and load the inbox rows of one scan (``InboxCheckpoint``)."""

    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database[COLLECTION]

    async def save(self, checkpoint: InboxCheckpoint, *, now: datetime) -> None:
        rows = list(checkpoint.rows)
        generation = f"{checkpoint.as_of:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
        chunks = [rows[start : start + CHUNK_ROWS] for start in range(0, len(rows), CHUNK_ROWS)]
        if chunks:
            await self._collection.insert_many([
                {"_id": f"{generation}#{n}", "generation": generation, "saved_at": now, "rows": _pack(chunk)}
                for n, chunk in enumerate(chunks)
            ])  # fmt: skip
        pointer: Document = {
            "generation": generation,
            "chunks": len(chunks),
            "as_of": checkpoint.as_of,
            "format": ROW_FORMAT,
        }
        if checkpoint.overview is not None:
            pointer["overview"] = Binary(zlib.compress(checkpoint.overview.model_dump_json().encode(), 1))
        try:
            await self._collection.replace_one({"_id": POINTER}, pointer, upsert=True)
        except DuplicateKeyError:  # another replica created the pointer at the same moment: replace it
            await self._collection.replace_one({"_id": POINTER}, pointer)
        current = await self._collection.find_one({"_id": POINTER}, {"generation": 1})
        keep = [generation] if current is None else [generation, current["generation"]]
        await self._collection.delete_many(
            {"_id": {"$ne": POINTER}, "generation": {"$nin": keep}, "saved_at": {"$lt": now - RETAIN}}
        )

    async def load(self) -> InboxCheckpoint | None:
        """The current checkpoint; ``None`` when there is none or it cannot be read as today's rows."""
        for _ in range(
            2
        ):  # a newer save may delete the generation between reading the pointer and its chunks
            pointer = await self._collection.find_one({"_id": POINTER})
            if pointer is None or pointer.get("format") != ROW_FORMAT:
                return None
            rows = await self._rows(str(pointer["generation"]), int(pointer["chunks"]))
            if rows is not None:
                return InboxCheckpoint(rows=tuple(rows), as_of=pointer["as_of"])
        return None

    async def load_overview(self) -> InboxOverview | None:
        """The current checkpoint's overview (one read); ``None`` when there is none or it is unreadable."""
        pointer = await self._collection.find_one({"_id": POINTER}, {"overview": 1, "format": 1})
        if pointer is None or pointer.get("format") != ROW_FORMAT or "overview" not in pointer:
            return None
        try:
            return InboxOverview.model_validate_json(zlib.decompress(pointer["overview"]))
        except (zlib.error, ValidationError) as error:
            _log.warning("inbox checkpoint overview is unreadable: %s", error)
            return None

    async def _rows(self, generation: str, chunks: int) -> list[InboxRow] | None:
        # The server reads the next chunks while this one is decoded (a few reads in flight at a time).
        in_flight = asyncio.Semaphore(READS_IN_FLIGHT)
        reads = [asyncio.ensure_future(self._chunk(f"{generation}#{n}", in_flight)) for n in range(chunks)]
        try:
            rows: list[InboxRow] = []
            for read in reads:
                document = await read
                if document is None:
                    return None
                decoded = _unpack(document)
                if decoded is None:
                    return None
                rows.extend(decoded)
            return rows
        finally:
            for read in reads:
                read.cancel()

    async def _chunk(self, chunk_id: str, in_flight: asyncio.Semaphore) -> Document | None:
        async with in_flight:
            return await self._collection.find_one({"_id": chunk_id})


def _unpack(chunk: Document) -> list[InboxRow] | None:
    try:
        return _rows_adapter().validate_json(zlib.decompress(chunk["rows"]))
    except (zlib.error, ValidationError) as error:
        _log.warning("inbox checkpoint chunk %s is unreadable, scanning instead: %s", chunk["_id"], error)
        return None


def _pack(rows: Sequence[InboxRow]) -> Binary:
    # Level 1: the rows compress about 8x at a fraction of the default level's time.
    return Binary(zlib.compress(_rows_adapter().dump_json(list(rows)), 1))


__all__ = ["COLLECTION", "MongoInboxCheckpoints"]
