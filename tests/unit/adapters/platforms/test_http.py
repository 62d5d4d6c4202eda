"""PlatformHttp: status translation, retries with tenacity, Retry-After, timeouts, malformed bodies."""

import httpx
import pytest

from shared.adapters.budget import Priority, UnlimitedBudget
from shared.adapters.platforms.http import Call, ErrorText, PlatformHttp
from shared.adapters.platforms.hubspot import hubspot_error_text
from shared.adapters.platforms.netsuite import netsuite_error_text
from shared.adapters.platforms.shopify import shopify_error_text
from shared.core.errors import (
    AuthFailed,
    Conflict,
    Invalid,
    MalformedResponse,
    NotFound,
    RateLimited,
    Unavailable,
)
from shared.core.model import System
from tests.unit.adapters.platforms.support import FAST, Recorder, recorded, reply


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _http(recorder: Recorder, sleeps: Sleeps, error_text: ErrorText = hubspot_error_text) -> PlatformHttp:
    return PlatformHttp(
        system=System.HUBSPOT,
        account="1",
        client=recorder.client(),
        base_url="https://api.example",
        budget=UnlimitedBudget(),
        policy=FAST,
        error_text=error_text,
        sleep=sleeps,
    )


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, Invalid), (401, AuthFailed), (403, AuthFailed), (404, NotFound), (409, Conflict), (422, Invalid)],
)
async def test_client_errors_translate_once_and_are_not_retried(status: int, error: type[Exception]) -> None:
    recorder = Recorder(reply(status, recorded("hubspot.error.validation.json")))
    with pytest.raises(error) as raised:
        await _http(recorder, Sleeps()).send(Call("GET", "x"), Priority.BACKGROUND)
    assert len(recorder.requests) == 1
    assert raised.value.details is not None
    assert "VALIDATION_ERROR: Property values were not valid" in raised.value.details


async def test_429_waits_exactly_the_retry_after_then_succeeds() -> None:
    sleeps = Sleeps()
    recorder = Recorder(
        reply(429, recorded("hubspot.error.rate_limit.json"), {"Retry-After": "1.5"}), reply(200, {"ok": 1})
    )
    data = await _http(recorder, sleeps).send_json(Call("GET", "x"), Priority.BACKGROUND)
    assert data == {"ok": 1}
    assert sleeps.waits == [1.5]


async def test_retry_after_longer_than_the_policy_allows_is_raised_not_waited() -> None:
    sleeps = Sleeps()
    recorder = Recorder(reply(429, {"errors": "slow down"}, {"Retry-After": "3600"}))
    with pytest.raises(RateLimited) as raised:
        await _http(recorder, sleeps, shopify_error_text).send(Call("GET", "x"), Priority.BACKGROUND)
    assert raised.value.retry_after == 3600
    assert raised.value.details == "slow down"
    assert sleeps.waits == []


async def test_5xx_is_retried_with_backoff_until_attempts_run_out() -> None:
    sleeps = Sleeps()
    recorder = Recorder(*(reply(503, {"title": "Service Unavailable"}) for _ in range(3)))
    with pytest.raises(Unavailable) as raised:
        await _http(recorder, sleeps, netsuite_error_text).send(Call("GET", "x"), Priority.BACKGROUND)
    assert len(recorder.requests) == FAST.max_attempts
    assert len(sleeps.waits) == FAST.max_attempts - 1
    assert all(0 <= wait <= FAST.backoff_max for wait in sleeps.waits)
    assert raised.value.details == "Service Unavailable"


async def test_timeouts_are_retried_then_raised_as_unavailable() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    recorder = Recorder(timeout, timeout, reply(200, {"ok": True}))
    assert await _http(recorder, Sleeps()).send_json(Call("GET", "x"), Priority.BACKGROUND) == {"ok": True}

    failing = Recorder(timeout, timeout, timeout)
    with pytest.raises(Unavailable):
        await _http(failing, Sleeps()).send(Call("GET", "x"), Priority.BACKGROUND)


async def test_a_create_is_not_retried_after_a_5xx_because_it_may_have_happened() -> None:
    recorder = Recorder(reply(500, {}), reply(201, {}))
    with pytest.raises(Unavailable):
        await _http(recorder, Sleeps()).send(Call("POST", "x", body={}, idempotent=False), Priority.OPERATOR)
    assert len(recorder.requests) == 1


async def test_a_create_is_retried_after_a_429() -> None:
    recorder = Recorder(reply(429, {}, {"Retry-After": "0"}), reply(201, {"id": "1"}))
    response = await _http(recorder, Sleeps()).send(
        Call("POST", "x", body={}, idempotent=False), Priority.OPERATOR
    )
    assert response.status_code == 201


async def test_a_body_that_is_not_json_is_a_malformed_response() -> None:
    recorder = Recorder(httpx.Response(200, content=b"<html>oops</html>"))
    with pytest.raises(MalformedResponse):
        await _http(recorder, Sleeps()).send_json(Call("GET", "x"), Priority.BACKGROUND)


async def test_numbers_parse_as_decimal_never_float() -> None:
    recorder = Recorder(httpx.Response(200, content=b'{"total": 64.78}'))
    data = await _http(recorder, Sleeps()).send_json(Call("GET", "x"), Priority.BACKGROUND)
    assert isinstance(data, dict)
    assert str(data["total"]) == "64.78"
    assert not isinstance(data["total"], float)


async def test_every_request_carries_a_timeout() -> None:
    recorder = Recorder(reply(200, {}))
    await _http(recorder, Sleeps()).send(Call("GET", "x"), Priority.BACKGROUND)
    timeout = recorder.requests[0].extensions["timeout"]
    assert timeout["read"] == FAST.read_timeout
    assert timeout["connect"] == FAST.connect_timeout


def test_platform_error_texts() -> None:
    assert (
        shopify_error_text(recorded("shopify.error.422.json"))
        == "email: has already been taken; phone: is invalid"
    )
    assert netsuite_error_text(recorded("netsuite.error.400.json")) == (
        "INVALID_PARAMETER: Invalid value for the resource or sub-resource field 'email'. Provide a valid value."
    )
    assert hubspot_error_text(recorded("hubspot.error.rate_limit.json")) == (
        "RATE_LIMIT: You have reached your ten_secondly_rolling limit."
    )
