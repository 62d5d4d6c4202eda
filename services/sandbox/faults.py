"""Injected platform faults, switchable at runtime through ``/_admin/faults``.

Per platform: an outage (every request 503 with the platform's body), added latency, a
rate-limit storm (every request 429 with ``Retry-After`` for N seconds and/or N requests),
malformed responses (the next N response bodies truncated into invalid JSON) and write rejections
(creates and updates of a record type, or of one record, refused with the platform's own
validation error: HubSpot 400 ``VALIDATION_ERROR``, Shopify 422 ``{"errors": {field: [...]}}``,
NetSuite 400 ``INVALID_PARAMETER``), which is how a permanent refusal is injected.

Outages, storms, rejections and malformed bodies are applied by :class:`FaultMiddleware` around the
platform routes (a rejection before the route checks credentials: a test that injects one sends
valid ones). Latency is applied by each platform's request guard after admission (see
:meth:`FaultInjector.delay`), so a slow NetSuite request holds its concurrency slot as a slow real
one would.
"""

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.sandbox import platform_errors
from services.sandbox.ratelimit import Monotonic
from shared.core.model import System

_PATH_PREFIXES: tuple[tuple[str, System], ...] = (
    ("/crm/", System.HUBSPOT),
    ("/admin/api/", System.SHOPIFY),
    ("/services/rest/", System.NETSUITE),
)


def system_for_path(path: str) -> System | None:
    """The imitated platform serving ``path``, or ``None`` for the sandbox's own routes."""
    return next((system for prefix, system in _PATH_PREFIXES if path.startswith(prefix)), None)


class RateLimitStorm(BaseModel):
    """Every request is refused with 429 until ``seconds`` pass or ``requests`` are refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seconds: float | None = Field(default=None, gt=0)
    requests: int | None = Field(default=None, ge=1)
    retry_after: float = Field(default=2.0, ge=0)

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.seconds is None and self.requests is None:
            raise ValueError("a rate-limit storm needs seconds or requests")
        return self


class WriteRejection(BaseModel):
    """Writes to ``object_type`` (the platform's name) refused as invalid, for good.

    ``record_id`` None: every update and every create of the type; else only updates of that record.
    ``field`` is the platform field the error names; ``message`` replaces the platform's default text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    object_type: str = Field(min_length=1)
    record_id: str | None = None
    field: str = Field(default="email", min_length=1)
    message: str | None = None

    def matches(self, write: "_Write") -> bool:
        return write.object_type == self.object_type and self.record_id in (None, write.record_id)


class PlatformFaults(BaseModel):
    """The faults injected into one platform; the default injects none."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outage: bool = False
    latency_seconds: float = Field(default=0.0, ge=0, le=120)
    rate_limit_storm: RateLimitStorm | None = None
    malformed_responses: int = Field(default=0, ge=0)
    reject_writes: tuple[WriteRejection, ...] = ()


class FaultConfig(BaseModel):
    """The faults of every platform, as ``PUT /_admin/faults`` takes them (absent platforms: none)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hubspot: PlatformFaults = PlatformFaults()
    shopify: PlatformFaults = PlatformFaults()
    netsuite: PlatformFaults = PlatformFaults()


class _Running:
    """What remains of one platform's configured faults."""

    def __init__(self, faults: PlatformFaults, now: float) -> None:
        self.faults = faults
        storm = faults.rate_limit_storm
        self.storm_until = now + storm.seconds if storm and storm.seconds else None
        self.storm_requests_left = storm.requests if storm else None
        self.malformed_left = faults.malformed_responses


class FaultInjector:
    """Holds the configured faults and how much of each is left; one per sandbox process."""

    def __init__(self, *, monotonic: Monotonic = time.monotonic) -> None:
        self._monotonic = monotonic
        self.reset()

    def reset(self) -> None:
        """Inject nothing."""
        self.configure(FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        """Replace every platform's faults; storms and malformed counts start afresh."""
        now = self._monotonic()
        self._running = {system: _Running(getattr(config, system.value), now) for system in System}

    def configure_platform(self, system: System, faults: PlatformFaults) -> None:
        """Replace one platform's faults."""
        self._running[system] = _Running(faults, self._monotonic())

    def state(self) -> dict[str, object]:
        """The configuration with what is left of storms and malformed responses, as JSON."""
        now = self._monotonic()
        state: dict[str, object] = {}
        for system, running in self._running.items():
            entry = running.faults.model_dump(mode="json")
            entry["storm_active"] = self._storm_active(running, now)
            entry["storm_requests_left"] = running.storm_requests_left
            entry["storm_seconds_left"] = max(0.0, running.storm_until - now) if running.storm_until else None
            entry["malformed_left"] = running.malformed_left
            state[system.value] = entry
        return state

    def intercept(self, system: System) -> Response | None:
        """The response replacing this request (outage 503 or storm 429), or ``None`` to serve it."""
        running = self._running[system]
        if running.faults.outage:
            return platform_errors.unavailable(system)
        storm = running.faults.rate_limit_storm
        if storm is not None and self._storm_active(running, self._monotonic()):
            if running.storm_requests_left is not None:
                running.storm_requests_left -= 1
            return platform_errors.throttled(system, storm.retry_after)
        return None

    def rejection(self, system: System, method: str, path: str) -> Response | None:
        """The platform's validation error if this request is a write a rejection names, else None."""
        rejections = self._running[system].faults.reject_writes
        write = _write_of(system, method, path) if rejections else None
        if write is None:
            return None
        rule = next((r for r in rejections if r.matches(write)), None)
        return None if rule is None else _validation_error(system, rule)

    def take_malformed(self, system: System) -> bool:
        """Whether this response must be malformed (consumes one of the configured count)."""
        running = self._running[system]
        if running.malformed_left <= 0:
            return False
        running.malformed_left -= 1
        return True

    async def delay(self, system: System) -> None:
        """Sleep for the platform's injected latency, if any."""
        latency = self._running[system].faults.latency_seconds
        if latency > 0:
            await asyncio.sleep(latency)

    @staticmethod
    def _storm_active(running: _Running, now: float) -> bool:
        if running.faults.rate_limit_storm is None:
            return False
        if running.storm_requests_left is not None and running.storm_requests_left <= 0:
            return False
        return running.storm_until is None or now < running.storm_until


class FaultMiddleware:
    """ASGI middleware answering platform requests with injected outages, storms and broken bodies."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self._app = app
        self._injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        system = system_for_path(scope["path"]) if scope["type"] == "http" else None
        if system is None:
            await self._app(scope, receive, send)
            return
        replacement = self._injector.intercept(system)
        if replacement is None:
            replacement = self._injector.rejection(system, scope["method"], scope["path"])
        if replacement is not None:
            await replacement(scope, receive, send)
            return
        if self._injector.take_malformed(system):
            await self._app(scope, receive, _truncating(send))
            return
        await self._app(scope, receive, send)


def _truncating(send: Send) -> Send:
    """A ``send`` that delivers the response body cut in half (so a JSON body no longer parses)."""
    start: list[Message] = []
    chunks: list[bytes] = []

    async def truncating_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.append(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        broken = body[: len(body) // 2] if len(body) > 1 else body
        headers = MutableHeaders(scope={"type": "http", "headers": list(start[0]["headers"])})
        if "content-length" in headers:
            headers["content-length"] = str(len(broken))
        await send({**start[0], "headers": headers.raw})
        await send({"type": "http.response.body", "body": broken, "more_body": False})

    return truncating_send


@dataclass(frozen=True)
class _Write:
    """A create (``record_id`` None) or an update of one record, as a request path names it."""

    object_type: str
    record_id: str | None


_WRITE_PATHS: dict[System, re.Pattern[str]] = {
    System.HUBSPOT: re.compile(r"^/crm/v3/objects/(?P<type>[^/]+)(?:/(?P<id>[^/]+))?$"),
    System.SHOPIFY: re.compile(r"^/admin/api/[^/]+/(?P<type>[^/]+?)(?:/(?P<id>[^/]+?))?\.json$"),
    System.NETSUITE: re.compile(r"^/services/rest/record/v1/(?P<type>[^/]+)(?:/(?P<id>[^/]+))?$"),
}


def _write_of(system: System, method: str, path: str) -> _Write | None:
    """The write ``method path`` makes: POST to a collection creates, PATCH/PUT to a record updates."""
    found = _WRITE_PATHS[system].match(path)
    if found is None:
        return None
    record_id = found["id"]
    creates = method == "POST" and record_id is None
    updates = method in {"PATCH", "PUT"} and record_id is not None
    return _Write(object_type=found["type"], record_id=record_id) if creates or updates else None


def _validation_error(system: System, rule: WriteRejection) -> Response:
    """Each platform's own answer to a value it refuses (PLATFORMS.md 1.5, 2.3, 3.5)."""
    if system is System.HUBSPOT:
        text = rule.message or f"Property value {rule.field} is not valid"
        code = f"INVALID_{rule.field.upper()}"
        detail = {"isValid": False, "message": text, "error": code, "name": rule.field}
        return platform_errors.hubspot_error(
            400, "VALIDATION_ERROR", f"Property values were not valid: {json.dumps([detail])}",
            errors=[{"message": text, "code": code, "context": {"propertyName": [rule.field]}}],
        )  # fmt: skip
    if system is System.SHOPIFY:
        return platform_errors.shopify_error(422, {rule.field: [rule.message or "is invalid"]})
    text = rule.message or (
        f"Invalid value for the resource or sub-resource field '{rule.field}'. Provide a valid value."
    )
    return platform_errors.netsuite_error(400, "INVALID_PARAMETER", text, path=rule.field)
