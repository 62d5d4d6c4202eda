"""A background event loop for the async adapters, called from Streamlit's synchronous script runs.

Streamlit re-runs the script on a fresh thread per interaction; Kafka producers and Mongo clients
are bound to the loop they started on, so one loop per server process owns them all.
"""

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


class Portal:
    """Runs coroutines on a daemon thread's loop and waits for their result."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="concord-portal", daemon=True)
        self._thread.start()

    def submit(self, coroutine: Coroutine[object, object, T]) -> Future[T]:
        """Start the coroutine on the portal loop without waiting for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def call(self, coroutine: Coroutine[object, object, T], timeout: float = 30.0) -> T:
        """The coroutine's result; raises what it raised, or ``TimeoutError`` after ``timeout`` s."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def close(self) -> None:
        """Stop the loop (tests; the server keeps it for its lifetime)."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


__all__ = ["Portal"]
