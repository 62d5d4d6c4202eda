"""Builders for connector unit tests: settings, recorded fixtures, a scripted MockTransport."""

import json
from collections.abc import Callable
from pathlib import Path

import httpx
from pydantic import SecretStr

from shared.adapters.platforms.settings import HttpPolicy, HubSpotSettings, NetSuiteSettings, ShopifySettings

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
FAST = HttpPolicy(
    read_timeout=2.0, connect_timeout=1.0, max_attempts=3, backoff_initial=0.001, backoff_max=0.01
)


def recorded(name: str) -> object:
    """A recorded platform JSON body: ``recorded/<name>`` or ``platforms/<name>``."""
    for folder in ("recorded", "platforms"):
        path = FIXTURES / folder / name
        if path.exists():
            return json.loads(path.read_text())
    raise FileNotFoundError(name)


def hubspot_settings(**overrides: object) -> HubSpotSettings:
    values: dict[str, object] = {"portal_id": 62515, "token": SecretStr("pat-test"), "http": FAST}
    return HubSpotSettings.model_validate(values | overrides)


def shopify_settings(**overrides: object) -> ShopifySettings:
    values: dict[str, object] = {
        "shop": "concord-demo",
        "access_token": SecretStr("shpat_test"),
        "http": FAST,
    }
    return ShopifySettings.model_validate(values | overrides)


def netsuite_settings(**overrides: object) -> NetSuiteSettings:
    values: dict[str, object] = {
        "account_id": "1234567_SB1",
        "consumer_key": SecretStr("ck"),
        "consumer_secret": SecretStr("cs"),
        "token_id": SecretStr("ti"),
        "token_secret": SecretStr("ts"),
        "http": FAST,
    }
    return NetSuiteSettings.model_validate(values | overrides)


Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler answering scripted responses in order and keeping every request."""

    def __init__(self, *responses: httpx.Response | Handler) -> None:
        self._responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self._responses:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self._responses.pop(0)
        return answer if isinstance(answer, httpx.Response) else answer(request)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))

    def body(self, index: int) -> object:
        return json.loads(self.requests[index].content)


def reply(status: int = 200, body: object = None, headers: dict[str, str] | None = None) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
