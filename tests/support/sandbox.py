"""The platform sandbox served by uvicorn on a free port in a background thread, and connector
settings that point at it; for integration tests of anything that reads the platforms."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pydantic import SecretStr
from pymongo import MongoClient

from services.sandbox.settings import SandboxSettings
from shared.adapters.platforms.settings import HttpPolicy, HubSpotSettings, NetSuiteSettings, ShopifySettings

FAST_HTTP = HttpPolicy(
    read_timeout=10.0, max_attempts=3, backoff_initial=0.05, backoff_max=0.5, max_retry_after=5.0
)


@dataclass(frozen=True)
class RunningSandbox:
    base_url: str
    settings: SandboxSettings

    def hubspot(self, **overrides: object) -> HubSpotSettings:
        return HubSpotSettings.model_validate(
            {
                "base_url": self.base_url,
                "portal_id": self.settings.hubspot_portal_id,
                "token": self.settings.hubspot_token,
                "http": FAST_HTTP,
                **overrides,
            }
        )

    def shopify(self, **overrides: object) -> ShopifySettings:
        return ShopifySettings.model_validate(
            {
                "shop": self.settings.shopify_shop,
                "base_url": self.base_url,
                "access_token": self.settings.shopify_access_token,
                "http": FAST_HTTP,
                **overrides,
            }
        )

    def netsuite(self, **overrides: object) -> NetSuiteSettings:
        s = self.settings
        return NetSuiteSettings.model_validate(
            {
                "account_id": s.netsuite_account_id,
                "base_url": self.base_url,
                "consumer_key": s.netsuite_consumer_key,
                "consumer_secret": s.netsuite_consumer_secret,
                "token_id": s.netsuite_token_id,
                "token_secret": s.netsuite_token_secret,
                "http": FAST_HTTP,
                **overrides,
            }
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)


@contextlib.contextmanager
def serve_sandbox(mongo_uri: str, **settings: object) -> Iterator[RunningSandbox]:
    """A sandbox on its own database (dropped afterwards); ``settings`` override SandboxSettings fields."""
    import uvicorn

    from services.sandbox.app import build_app

    database = f"test_sandbox_{uuid.uuid4().hex[:12]}"
    port = free_port()
    config = SandboxSettings.model_validate(
        {"mongodb_uri": SecretStr(mongo_uri), "mongodb_database": database, "sandbox_port": port, **settings}
    )
    server = uvicorn.Server(
        uvicorn.Config(build_app(config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 20.0, "the sandbox to start")
        yield RunningSandbox(f"http://127.0.0.1:{port}", config)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        with MongoClient[dict[str, object]](mongo_uri) as client:
            client.drop_database(database)
