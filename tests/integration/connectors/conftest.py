"""The platform sandbox served by uvicorn on a free port, for connector tests over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

SANDBOX_APP = Path(__file__).resolve().parents[3] / "services" / "sandbox" / "app.py"


@dataclass(frozen=True)
class Sandbox:
    base_url: str
    settings: object  # services.sandbox.settings.SandboxSettings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(predicate: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def sandbox(mongo_uri: str) -> Iterator[Sandbox]:
    if not SANDBOX_APP.exists():
        pytest.skip("services/sandbox/app.py is not written yet")
    import uvicorn

    from services.sandbox.app import build_app
    from services.sandbox.settings import SandboxSettings

    database = f"test_connectors_{uuid.uuid4().hex[:12]}"
    port = _free_port()
    settings = SandboxSettings(
        mongodb_uri=SecretStr(mongo_uri),
        mongodb_database=database,
        sandbox_port=port,
        webhook_target_url=None,
    )
    server = uvicorn.Server(
        uvicorn.Config(build_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _wait_for(lambda: server.started, 20.0, "the sandbox to start")
    yield Sandbox(f"http://127.0.0.1:{port}", settings)
    server.should_exit = True
    thread.join(timeout=10)
    from pymongo import MongoClient

    with MongoClient(mongo_uri) as client:
        client.drop_database(database)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
async def faults(sandbox: Sandbox, http: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The sandbox's admin client; every injected fault is cleared after the test."""
    yield http
    response = await http.put(f"{sandbox.base_url}/_admin/faults", json={})
    response.raise_for_status()
