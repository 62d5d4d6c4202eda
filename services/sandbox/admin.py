"""The sandbox's own control API under ``/_admin`` (JSON in, JSON out; errors as ``{"error": ...}``).

- ``GET /_admin/health``: the process and its database answer.
- ``GET /_admin/records/{system}/{object_type}[/{id}]``: raw stored state.
- ``POST /_admin/records/{system}/{object_type}`` ``{"record": {...}, "emit": false}``: create.
- ``DELETE /_admin/records/{system}/{object_type}/{id}?emit=false``: delete.
- ``POST /_admin/edit`` ``{"system", "object_type", "id", "changes", "emit": false}``: out-of-band edit;
  without ``emit`` no listener (no webhook) hears of it, which is how passive drift is injected.
- ``GET /_admin/write-counts[?system=]``: writes API clients made, per ``system:object_type:id``.
- ``GET|PUT /_admin/faults``, ``PUT /_admin/faults/{system}``: injected faults.
- ``POST /_admin/reset``: records, counters, write counts, faults and rate-limit state.
"""

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.sandbox.faults import FaultConfig, FaultInjector, PlatformFaults
from services.sandbox.platform_errors import json_response
from services.sandbox.stamping import OBJECT_TYPES
from services.sandbox.store import SandboxStore
from shared.core.model import System

Handler = Callable[[Request], Awaitable[Response]]
ModelT = TypeVar("ModelT", bound=BaseModel)
Resettable = Callable[[], None]


class AdminProblem(Exception):
    """A bad admin request: answered with ``status`` and ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AdminEdit(BaseModel):
    """An out-of-band edit of one record."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    system: System
    object_type: str
    record_id: str = Field(alias="id")
    changes: dict[str, object]
    emit: bool = False


class AdminCreate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    record: dict[str, object]
    emit: bool = False


class AdminApi:
    """The ``/_admin`` routes; ``resettables`` are reset (besides store and faults) by ``/_admin/reset``."""

    def __init__(
        self, store: SandboxStore, faults: FaultInjector, resettables: Sequence[Resettable] = ()
    ) -> None:
        self._store = store
        self._faults = faults
        self._resettables = list(resettables)

    def routes(self) -> list[BaseRoute]:
        records = "/_admin/records/{system}/{object_type}"
        return [
            Route("/_admin/health", _json_errors(self.health), methods=["GET"]),
            Route(records, _json_errors(self.list_records), methods=["GET"]),
            Route(records, _json_errors(self.create), methods=["POST"]),
            Route(f"{records}/{{record_id}}", _json_errors(self.get_record), methods=["GET"]),
            Route(f"{records}/{{record_id}}", _json_errors(self.delete), methods=["DELETE"]),
            Route("/_admin/edit", _json_errors(self.edit), methods=["POST"]),
            Route("/_admin/write-counts", _json_errors(self.write_counts), methods=["GET"]),
            Route("/_admin/faults", _json_errors(self.get_faults), methods=["GET"]),
            Route("/_admin/faults", _json_errors(self.put_faults), methods=["PUT"]),
            Route("/_admin/faults/{system}", _json_errors(self.put_platform_faults), methods=["PUT"]),
            Route("/_admin/reset", _json_errors(self.reset), methods=["POST"]),
        ]

    async def health(self, request: Request) -> Response:
        """200 when the database answers a ping, 503 otherwise."""
        try:
            await self._store.ping()
        except PyMongoError as error:
            return json_response({"status": "unhealthy", "mongodb": type(error).__name__}, 503)
        return json_response({"status": "ok", "mongodb": "ok"})

    async def list_records(self, request: Request) -> Response:
        system, object_type = _type_of(request)
        return json_response({"records": await self._store.all(system, object_type)})

    async def get_record(self, request: Request) -> Response:
        system, object_type = _type_of(request)
        record_id = str(request.path_params["record_id"])
        record = await self._store.get(system, object_type, record_id)
        if record is None:
            raise AdminProblem(404, f"no {system} {object_type} with id {record_id}")
        return json_response(record)

    async def create(self, request: Request) -> Response:
        system, object_type = _type_of(request)
        body = _parse(AdminCreate, await request.body())
        created = await self._store.create(system, object_type, body.record, emit=body.emit, origin="admin")
        return json_response(created, 201)

    async def delete(self, request: Request) -> Response:
        system, object_type = _type_of(request)
        record_id = str(request.path_params["record_id"])
        emit = request.query_params.get("emit", "false").lower() == "true"
        try:
            await self._store.delete(system, object_type, record_id, emit=emit, origin="admin")
        except KeyError:
            raise AdminProblem(404, f"no {system} {object_type} with id {record_id}") from None
        return json_response({"deleted": f"{system}:{object_type}:{record_id}"})

    async def edit(self, request: Request) -> Response:
        body = _parse(AdminEdit, await request.body())
        _check_type(body.system, body.object_type)
        try:
            updated = await self._store.update(
                body.system, body.object_type, body.record_id, body.changes, emit=body.emit, origin="admin"
            )
        except KeyError:
            raise AdminProblem(404, f"no {body.system} {body.object_type} with id {body.record_id}") from None
        return json_response(updated)

    async def write_counts(self, request: Request) -> Response:
        prefix = request.query_params.get("system", "")
        counts = await self._store.write_counts()
        return json_response(
            {"write_counts": {k: v for k, v in sorted(counts.items()) if k.startswith(prefix)}}
        )

    async def get_faults(self, request: Request) -> Response:
        return json_response(self._faults.state())

    async def put_faults(self, request: Request) -> Response:
        self._faults.configure(_parse(FaultConfig, await request.body()))
        return json_response(self._faults.state())

    async def put_platform_faults(self, request: Request) -> Response:
        system = _system(str(request.path_params["system"]))
        self._faults.configure_platform(system, _parse(PlatformFaults, await request.body()))
        return json_response(self._faults.state())

    async def reset(self, request: Request) -> Response:
        await self._store.reset()
        self._faults.reset()
        for resettable in self._resettables:
            resettable()
        return json_response({"reset": True})


def _json_errors(handler: Handler) -> Handler:
    async def answering(request: Request) -> Response:
        try:
            return await handler(request)
        except AdminProblem as problem:
            return json_response({"error": problem.message}, problem.status)

    return answering


def _parse(model: type[ModelT], body: bytes) -> ModelT:
    try:
        return model.model_validate(json.loads(body or b"{}"))
    except json.JSONDecodeError as error:
        raise AdminProblem(400, f"body is not JSON: {error.msg}") from None
    except ValidationError as error:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
        raise AdminProblem(400, f"invalid {model.__name__}: {details}") from None


def _system(name: str) -> System:
    try:
        return System(name)
    except ValueError:
        raise AdminProblem(404, f"unknown system {name!r}; one of {', '.join(System)}") from None


def _check_type(system: System, object_type: str) -> None:
    if object_type not in OBJECT_TYPES[system]:
        known = ", ".join(OBJECT_TYPES[system])
        raise AdminProblem(404, f"{system} has no object type {object_type!r}; one of {known}")


def _type_of(request: Request) -> tuple[System, str]:
    system = _system(str(request.path_params["system"]))
    object_type = str(request.path_params["object_type"])
    _check_type(system, object_type)
    return system, object_type
