"""The HTTP mechanics every connector shares: budget, timeout, status translation, retries, parsing.

A platform module says what to call and how to read the platform's error bodies; this module does
the rest once. Every attempt first takes budget, then sends with a timeout. Statuses translate to
``shared.core.errors`` in one place. ``RateLimited`` and ``Unavailable`` (429, 5xx, timeouts) are
retried by tenacity with jittered exponential backoff; a 429's ``Retry-After`` is waited out
as given unless it exceeds ``HttpPolicy.max_retry_after``. Non-idempotent calls (creates) are
retried only when the platform certainly did not act: a 429, or a connection never made.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
import structlog
from pydantic import TypeAdapter, ValidationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_random_exponential

from shared.adapters.budget import Priority
from shared.adapters.metrics import ConnectorMetrics
from shared.adapters.platforms.base import CallBudget
from shared.adapters.platforms.settings import HttpPolicy
from shared.core.errors import (
    AuthFailed,
    Conflict,
    Invalid,
    MalformedResponse,
    NotFound,
    PlatformError,
    RateLimited,
    Unavailable,
)
from shared.core.model import System
from shared.core.platforms.base import WireValue, encode_json

ErrorText = Callable[[object], str | None]
"""The platform's own error text from a parsed error body (None if the body holds none)."""

Classify = Callable[[int, str | None], type[PlatformError] | None]
"""A platform's exceptions to the status table (e.g. NetSuite's 400 that means rate limited)."""

T = TypeVar("T")
_log = structlog.get_logger(__name__)


class _NotSent(Unavailable):
    """The connection failed before the request left: safe to retry even a create."""


@dataclass(frozen=True)
class Call:
    """One request: ``path`` is relative to the connector's base URL unless it is absolute."""

    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    body: WireValue = None
    headers: Mapping[str, str] = field(default_factory=dict)
    operation: str = "default"
    idempotent: bool = True


class PlatformHttp:
    """Sends :class:`Call` s for one platform account; answers 2xx responses or raises typed errors."""

    def __init__(
        self,
        *,
        system: System,
        account: str,
        client: httpx.AsyncClient,
        base_url: str,
        budget: CallBudget,
        policy: HttpPolicy,
        error_text: ErrorText,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        classify: Classify | None = None,
        metrics: ConnectorMetrics | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.system = system
        self._account = account
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._budget = budget
        self._policy = policy
        self._error_text = error_text
        self._headers = dict(headers or {})
        self._auth = auth
        self._classify = classify
        self._metrics = metrics
        self._sleep = sleep

    def url(self, path: str) -> str:
        """The absolute URL of ``path``."""
        return path if path.startswith(("http://", "https://")) else f"{self._base_url}/{path.lstrip('/')}"

    async def send(self, call: Call, priority: Priority) -> httpx.Response:
        """The 2xx response to ``call``, after retries; raises the typed error of the last attempt."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._policy.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda error: self._retryable(error, call)),
            before_sleep=self._log_retry,
            reraise=True,
            sleep=self._sleep,
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(call, priority)
        raise AssertionError("tenacity neither returned nor raised")  # pragma: no cover

    async def send_json(self, call: Call, priority: Priority) -> object:
        """The parsed JSON body of the 2xx response; floats become ``Decimal`` (money never floats)."""
        return parse_json(self.system, await self.send(call, priority))

    async def _once(self, call: Call, priority: Priority) -> httpx.Response:
        content = None if call.body is None else encode_json(call.body).encode()
        headers = {**self._headers, **call.headers}
        if content is not None:
            headers.setdefault("Content-Type", "application/json")
        timeout = httpx.Timeout(self._policy.read_timeout, connect=self._policy.connect_timeout)
        async with self._budget.use(priority, call.operation):
            try:
                response = await self._client.request(
                    call.method,
                    self.url(call.path),
                    params=dict(call.params) or None,
                    content=content,
                    headers=headers,
                    timeout=timeout,
                    auth=self._auth or httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.ConnectError as error:
                self._count("unavailable")
                raise _NotSent(f"{self.system} {call.method} {call.path}: cannot connect: {error}") from error
            except httpx.TransportError as error:
                self._count("unavailable")
                raise Unavailable(
                    f"{self.system} {call.method} {call.path}: {type(error).__name__}"
                ) from error
        self._raise_for_status(call, response)
        self._count("ok")
        return response

    def _raise_for_status(self, call: Call, response: httpx.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        details = self._details(response)
        error_type = (self._classify(status, details) if self._classify else None) or _error_for(status)
        message = f"{self.system} {call.method} {call.path} answered {status}"
        self._count(error_type.__name__)
        if error_type is RateLimited:
            self._budget.record_throttled()
            raise RateLimited(message, retry_after=retry_after_seconds(response), details=details)
        raise error_type(message, details=details)

    def _details(self, response: httpx.Response) -> str | None:
        try:
            return self._error_text(json.loads(response.content)) or response.text[:500] or None
        except ValueError:
            return response.text[:500] or None

    def _retryable(self, error: BaseException, call: Call) -> bool:
        if isinstance(error, RateLimited):
            return error.retry_after is None or error.retry_after <= self._policy.max_retry_after
        if isinstance(error, _NotSent):
            return True
        return call.idempotent and isinstance(error, Unavailable)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after
        backoff = wait_random_exponential(
            multiplier=self._policy.backoff_initial, max=self._policy.backoff_max
        )
        return float(backoff(state))

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        _log.warning(
            "platform_call_retry",
            system=self.system.value,
            attempt=state.attempt_number,
            error=type(error).__name__,
            wait=round(state.upcoming_sleep, 3),
        )

    def _count(self, outcome: str) -> None:
        if self._metrics:
            self._metrics.requests.labels(self.system.value, self._account, outcome).inc()


def _error_for(status: int) -> type[PlatformError]:
    table: dict[int, type[PlatformError]] = {
        401: AuthFailed,
        403: AuthFailed,
        404: NotFound,
        409: Conflict,
        429: RateLimited,
    }
    if status in table:
        return table[status]
    return Unavailable if status >= 500 else Invalid


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (a number, possibly fractional, or an HTTP date); None if absent."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def parse_json(system: System, response: httpx.Response) -> object:
    """The JSON body with floats as ``Decimal``; ``MalformedResponse`` if it is not JSON."""
    try:
        parsed: object = json.loads(response.content, parse_float=Decimal)
    except ValueError as error:
        raise MalformedResponse(
            f"{system} {response.request.method} {response.request.url.path}: body is not JSON",
            details=response.text[:500],
        ) from error
    return parsed


def parse_as(system: System, adapter: TypeAdapter[T], data: object, what: str) -> T:
    """``data`` validated as ``what``; ``MalformedResponse`` (with pydantic's account) if it does not fit."""
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        raise MalformedResponse(f"{system} {what}: response does not parse", details=str(error)) from error


def object_at(system: System, data: object, key: str, what: str) -> object:
    """``data[key]`` for a JSON object ``data``; ``MalformedResponse`` if either is missing."""
    if not isinstance(data, dict) or key not in data:
        raise MalformedResponse(f"{system} {what}: response has no {key!r}", details=str(data)[:500])
    return data[key]
