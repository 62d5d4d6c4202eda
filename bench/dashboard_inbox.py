"""How long the dashboard's inbox takes to render with N open discrepancies.

    python -m bench.dashboard_inbox [--discrepancies 100000] [--keep]     # seed MongoDB, measure all
    python -m bench.dashboard_inbox --rows-only [--discrepancies 100000]  # render path only, merged

The full run seeds N open discrepancies in the checker repository's document shape, then measures:
- baseline: the raw Mongo queries an inbox would need (first page unsorted; the open count), and the
  inbox over a 1-row collection;
- the cold load (the background scan building the in-memory rows) until the first render that shows
  the inbox (``first_response``: the first render, which may only say the rows are loading), plus warm
  renders (AppTest, the whole script): default view, a kind filter, a search, page 2;
- the same for a second server process started afterwards, whose first load is the checkpoint the
  first one saved after its scan (``inbox_restarted``).
``--rows-only`` measures the same renders over N rows already in memory (no MongoDB): what every
render after the first load costs; with ``--discrepancies 1`` it is the 1-row baseline.
Writes ``bench/results/dashboard_inbox.json`` (each step as it completes) with the machine description.
"""

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pymongo import AsyncMongoClient
from streamlit.testing.v1 import AppTest

from bench.machine import describe_machine
from services.dashboard.auth import SignedIn
from services.dashboard.ports import DashboardPorts
from services.dashboard.runtime import Runtime, build_runtime
from services.dashboard.settings import DashboardSettings
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.dashboard.checkpoints import COLLECTION as CHECKPOINTS
from shared.adapters.mongo.discrepancies import (
    INBOX_ROWS,
    MongoDiscrepancyRepository,
    _document_of,  # the stored shape, see seed()
    inbox_row_document,
)
from shared.core.dashboard.access import Role
from shared.core.dashboard.inbox import InboxRow, row_of
from shared.core.discrepancy import apply_findings
from shared.core.findings import DiscrepancyKind, Finding, OwnerVerdict, PlatformValue, SyncDirection
from shared.core.model import EntityId, EntityType, ExternalRef, Surface, System
from shared.core.repositories import StoredDiscrepancy

RESULT = Path(__file__).parent / "results" / "dashboard_inbox.json"
APP = Path(__file__).resolve().parents[1] / "services" / "dashboard" / "app.py"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
KINDS = (DiscrepancyKind.HARD_CONFLICT, DiscrepancyKind.SOFT_DRIFT, DiscrepancyKind.MISSING)
DIMENSIONS = ("customer_contact", "customer_name", "product_price", "order_status")


def _finding(i: int) -> Finding:
    now = T0 + timedelta(minutes=i % 20_000)
    email = f"c{i}@bench.example"
    values = tuple(
        PlatformValue(system=system, field="email", value=email if system is not System.NETSUITE else f"old{i}@bench.example",
                      ref=ExternalRef(system=system, object_type="customer", external_id=str(100_000 + i)),
                      observed_at=now, source_updated_at=now, surface=Surface.WEBHOOK, freshness_seconds=30.0, confidence=0.9)
        for system in System
    )  # fmt: skip
    return Finding(
        entity_id=EntityId(f"ent_{i:08d}"), entity_type=EntityType.CUSTOMER, dimension=DIMENSIONS[i % 4],
        check="bench", kind=KINDS[i % 3], fields=("email",), values=values,
        verdict=OwnerVerdict(owner=System.HUBSPOT, strategy="owner_wins", policy="default@1:customer.email"),
        suggested_actions=(SyncDirection(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",)),),
        explanation=f"HubSpot says {email}, NetSuite says old{i}@bench.example", found_at=now,
    )  # fmt: skip


def _stored(i: int) -> StoredDiscrepancy:
    finding = _finding(i)
    outcome = apply_findings([], [finding], {finding.dimension}, finding.found_at)
    return StoredDiscrepancy(discrepancy=outcome.discrepancies[0])


async def seed(uri: str, database: str, count: int) -> float:
    """Store ``count`` open discrepancies in the repository's own document shape.

    The documents are the repository's (``_document_of`` and ``inbox_row_document``); they are
    inserted with plain bulk inserts instead of ``save_all`` because ``save_all`` also maintains
    ``discrepancy_heads`` (the entity view's index, not read by the inbox) and costs several round
    trips per ten documents, which on a shared FerretDB turns a 100,000-document seed into hours.
    """
    client: AsyncMongoClient[Document] = AsyncMongoClient(uri, tz_aware=True, tzinfo=UTC)
    episodes, rows = client[database]["discrepancies"], client[database][INBOX_ROWS]
    await MongoDiscrepancyRepository(client[database]).ensure_indexes()
    started = time.perf_counter()
    lanes = 4  # FerretDB deadlocks with ~100 statements in flight: 4 lanes of 10-document bulks
    for start in range(0, count, 10 * lanes):
        stored = [
            list(map(_stored, range(b, min(count, b + 10))))
            for b in range(start, min(count, start + 10 * lanes), 10)
        ]
        await asyncio.gather(*(
            episodes.insert_many([{"_id": s.discrepancy.id, **_document_of(s)} for s in batch], ordered=False)
            for batch in stored
        ))  # fmt: skip
        await asyncio.gather(*(
            rows.insert_many([{"_id": s.discrepancy.id, **inbox_row_document(s)} for s in batch], ordered=False)
            for batch in stored
        ))  # fmt: skip
    await client.close()
    return time.perf_counter() - started


async def raw_queries(uri: str, database: str) -> dict[str, float]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(uri, tz_aware=True, tzinfo=UTC)
    collection = client[database]["discrepancies"]
    started = time.perf_counter()
    _ = [d async for d in collection.find({"status": "open"}, {"document": 0}).limit(50)]
    first_page = time.perf_counter() - started
    started = time.perf_counter()
    await collection.count_documents({"status": "open"})
    count = time.perf_counter() - started
    await client.close()
    return {"first_page_unsorted_s": first_page, "count_open_s": count}


def _timed_runs(at: AppTest, change: Callable[[AppTest], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        change(at)  # sets a widget's value; the run below renders with it
        at.run()
        _until_shown(at)
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    return times


def _until_shown(at: AppTest) -> None:
    """Run again until the inbox table shows: a render during a server's first load may only say
    that the rows are loading (in a browser its fragment looks again every second)."""
    while not at.dataframe:
        time.sleep(0.2)
        at.run()


def renders(runtime: Runtime, repeat: int) -> dict[str, dict[str, float]]:
    at = AppTest.from_file(str(APP), default_timeout=1200)
    at.session_state["concord.runtime"] = runtime
    at.session_state["concord.user"] = SignedIn("bench", Role.OPERATOR)
    started = time.perf_counter()
    at.run()
    first_response = time.perf_counter() - started
    _until_shown(at)
    cold = time.perf_counter() - started
    cases: dict[str, Callable[[AppTest], object]] = {
        "default_view": lambda a: a,
        "filter_kind_hard_conflict": lambda a: a.multiselect(key="filter_kinds").set_value(["hard_conflict"]),
        "search_email": lambda a: a.text_input(key="filter_search").set_value("c4242@bench"),
        "page_2": lambda a: (
            a.text_input(key="filter_search").set_value(""),
            a.number_input(key="inbox_page").set_value(2),
        ),
    }
    result: dict[str, dict[str, float]] = {
        "first_render_including_load": {"seconds": cold},
        "first_response": {"seconds": first_response},
    }
    for name, change in cases.items():
        times = _timed_runs(at, change, repeat)
        result[name] = {"median_s": statistics.median(times), "max_s": max(times)}
    return result


def measure(settings: DashboardSettings, repeat: int) -> dict[str, dict[str, float]]:
    """Renders of a fresh server process; returns once the checkpoint of its scan is saved."""
    built_at = datetime.now(UTC)
    runtime = build_runtime(settings)
    try:
        result = renders(runtime, repeat)
        uri, database = settings.mongodb_uri.get_secret_value(), settings.mongodb_database
        saved = asyncio.run(_checkpoint_saved(uri, database, since=built_at))
        result["checkpoint"] = {"saved_after_the_renders_s": saved}
        return result
    finally:
        runtime.close()


async def _checkpoint_saved(uri: str, database: str, *, since: datetime, seconds: float = 300.0) -> float:
    """Seconds until a checkpoint of a scan started after ``since`` exists (the runtime saves it)."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(uri, tz_aware=True, tzinfo=UTC)
    pointer = client[database][CHECKPOINTS]
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < seconds:
            found = await pointer.find_one({"_id": "current"}, {"as_of": 1})
            if found is not None and found["as_of"] >= since:
                return time.perf_counter() - started
            await asyncio.sleep(0.5)
        raise TimeoutError(f"no inbox checkpoint in {database} within {seconds:.0f} s")
    finally:
        await client.close()


class _RowsOnly:
    """Reader and annotation ports serving precomputed rows (the render path without MongoDB)."""

    def __init__(self, rows: list[InboxRow]) -> None:
        self.rows = rows

    async def open_inbox_rows(self) -> list[InboxRow]:
        return self.rows

    async def load_all(self) -> dict[str, object]:
        return {}

    async def raised_pairs(self) -> set[tuple[str, str]]:
        return set()


def rows_in_memory(count: int, repeat: int) -> dict[str, object]:
    """Renders over ``count`` rows already in memory: what every render after the first load costs."""
    started = time.perf_counter()
    rows = [row_of(_stored(i).discrepancy) for i in range(count)]
    built = time.perf_counter() - started
    fake = _RowsOnly(rows)
    ports = DashboardPorts(reader=fake, annotations=fake, publisher=None)  # type: ignore[arg-type]
    runtime = build_runtime(DashboardSettings(inbox_refresh_seconds=3600), ports)
    try:
        return {"rows": count, "rows_built_s": built, **renders(runtime, repeat)}
    finally:
        runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--discrepancies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the seeded databases")
    parser.add_argument(
        "--rows-only", action="store_true", help="only the in-memory render, merged into the JSON"
    )
    args = parser.parse_args()
    if args.rows_only:
        merged = json.loads(RESULT.read_text(encoding="utf-8")) if RESULT.exists() else {}
        key = "inbox_rows_in_memory" if args.discrepancies > 1 else "baseline_one_row_in_memory"
        merged[key] = rows_in_memory(args.discrepancies, args.repeat)
        RESULT.write_text(json.dumps(merged, indent=2, default=str) + "\n", encoding="utf-8")
        print(json.dumps(merged[key], indent=2, default=str))
        return
    base = DashboardSettings(topic_prefix="bench-dashboard", inbox_refresh_seconds=3600)
    uri = base.mongodb_uri.get_secret_value()
    stamp = datetime.now(UTC).strftime("%H%M%S")
    big, small = f"bench_dash_{stamp}", f"bench_dash_small_{stamp}"
    seed_seconds = asyncio.run(seed(uri, big, args.discrepancies))
    asyncio.run(seed(uri, small, 1))
    result: dict[str, object] = {
        "benchmark": "dashboard_inbox", "open_discrepancies": args.discrepancies, "seed_seconds": seed_seconds,
        "target_s": 2.0, "machine": describe_machine(),
    }  # fmt: skip
    steps: dict[str, Callable[[], object]] = {
        # The first AppTest run of a process imports Streamlit and the pages (seconds); pay it here so
        # that every first render below, baseline included, is a server's first render, not Python's.
        "imports_warm_up": lambda: measure(base.model_copy(update={"mongodb_database": small}), 1),
        "baseline_raw_mongo": lambda: asyncio.run(raw_queries(uri, big)),
        "baseline_one_row": lambda: measure(base.model_copy(update={"mongodb_database": small}), args.repeat),
        "inbox": lambda: measure(base.model_copy(update={"mongodb_database": big}), args.repeat),
        # A second server start: its first load is the checkpoint the first one saved after its scan.
        "inbox_restarted": lambda: measure(base.model_copy(update={"mongodb_database": big}), args.repeat),
    }
    for name, step in steps.items():
        result[name] = step()
        RESULT.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    if not args.keep:
        asyncio.run(_drop(uri, big, small))
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2, default=str))


async def _drop(uri: str, *names: str) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(uri)
    for name in names:
        await client.drop_database(name)
    await client.close()


if __name__ == "__main__":
    main()
