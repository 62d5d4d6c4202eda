"""The whole system for an end-to-end test: the demo's start path on free ports, with its own run dir,
topic prefix and databases on the session's Kafka and MongoDB, removed afterwards; and polling for it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from pymongo import MongoClient

from infra.demo import DemoConfig, DemoScenario, DemoSession, start_demo, stop_demo
from infra.processes import free_port

T = TypeVar("T")


@contextlib.contextmanager
def running_demo(
    scenario: DemoScenario, *, kafka: str, mongo_uri: str, name: str, run_dir: Path
) -> Iterator[DemoSession]:
    """A started demo deployment named ``name``; stopped and its databases dropped on exit."""
    config = DemoConfig(
        run_dir=run_dir, kafka=kafka, mongo_uri=mongo_uri,
        database=name, sandbox_database=f"{name}_sandbox", topic_prefix=name.replace("_", ""),
        group_suffix=name, sandbox_port=free_port(), ingest_port=free_port(), dashboard_port=free_port(),
    )  # fmt: skip
    try:
        yield start_demo(config, scenario)
    finally:
        stop_demo(config)
        with MongoClient[dict[str, object]](mongo_uri) as client:
            client.drop_database(config.database)
            client.drop_database(config.sandbox_database)


def eventually(probe: Callable[[], T | None], seconds: float, what: Callable[[], str]) -> T:
    """``probe()``'s first truthy value, polled every 2 s; fails naming ``what()`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what()}")
        time.sleep(2.0)
    return value
