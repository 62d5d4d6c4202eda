"""Admin routes of generated activity and webhook delivery (JSON in, JSON out; errors as ``{"error": ...}``).

- ``POST /_admin/scenario`` with :class:`ScenarioRequest` fields (all optional): run the seeded
  scenario and answer with its report, the ground truth of what was created and planted.
- ``GET /_admin/webhooks/config``: the dispatcher's switches.
- ``PUT /_admin/webhooks/config`` with any subset of :class:`WebhookConfig` fields: change them
  (the rest keep their values); answers with the whole new config.
- ``GET /_admin/webhooks/stats``: delivery counters.
"""

import json
from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from services.sandbox.scenario import ScenarioConfig, run_scenario
from services.sandbox.store import SandboxStore
from services.sandbox.webhooks import WebhookConfig, WebhookDispatcher

Handler = Callable[[Request], Awaitable[Response]]


class ScenarioRequest(ScenarioConfig):
    """A scenario run: its config, and whether to wipe the store first (ids restart from their bases)."""

    reset: bool = False


def activity_routes(store: SandboxStore, dispatcher: WebhookDispatcher) -> list[BaseRoute]:
    """The routes; ``store`` receives the scenario's writes, ``dispatcher`` is configured and observed."""

    async def scenario(request: Request) -> Response:
        body = await _json_object(request)
        if isinstance(body, Response):
            return body
        try:
            run = ScenarioRequest.model_validate(body)
        except ValidationError as error:
            return _error(422, str(error))
        if run.reset:
            await store.reset()
        config = ScenarioConfig.model_validate(run.model_dump(exclude={"reset"}))
        report = await run_scenario(store, config)
        return JSONResponse(report.model_dump(mode="json"))

    async def get_config(_request: Request) -> Response:
        return JSONResponse(dispatcher.config.model_dump(mode="json"))

    async def put_config(request: Request) -> Response:
        body = await _json_object(request)
        if isinstance(body, Response):
            return body
        try:
            dispatcher.config = WebhookConfig.model_validate({**dispatcher.config.model_dump(), **body})
        except ValidationError as error:
            return _error(422, str(error))
        return JSONResponse(dispatcher.config.model_dump(mode="json"))

    async def stats(_request: Request) -> Response:
        return JSONResponse(dispatcher.stats())

    return [
        Route("/_admin/scenario", scenario, methods=["POST"]),
        Route("/_admin/webhooks/config", get_config, methods=["GET"]),
        Route("/_admin/webhooks/config", put_config, methods=["PUT"]),
        Route("/_admin/webhooks/stats", stats, methods=["GET"]),
    ]


async def _json_object(request: Request) -> dict[str, object] | Response:
    """The request's JSON object (an empty body reads as ``{}``), or a 400 response."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return _error(400, "the body is not JSON")
    return parsed if isinstance(parsed, dict) else _error(400, "the body must be a JSON object")


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)
