"""The sandbox as `python -m services.sandbox` runs it: build_app(settings) behind a real uvicorn server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from services.sandbox.app import build_app
from services.sandbox.settings import SandboxSettings
from tests.integration.sandbox.platform_clients import HUBSPOT, SHOPIFY, SHOPIFY_PREFIX, netsuite_headers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def served(mongo_uri: str, unique: str) -> AsyncIterator[str]:
    port = _free_port()
    settings = SandboxSettings(
        mongodb_uri=SecretStr(mongo_uri),
        mongodb_database=f"test_sandbox_app_{unique}",
        sandbox_port=port,
        webhook_target_url=None,
    )
    server = uvicorn.Server(uvicorn.Config(build_app(settings), host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    await client.drop_database(settings.mongodb_database)
    await client.close()


async def test_the_three_platforms_and_admin_answer_over_real_http(served: str) -> None:
    async with httpx.AsyncClient(base_url=served) as client:
        health = await client.get("/_admin/health")
        contact = await client.post(
            "/crm/v3/objects/contacts", json={"properties": {"email": "a@acme.example"}}, headers=HUBSPOT
        )
        customers = await client.get(f"{SHOPIFY_PREFIX}/customers.json", headers=SHOPIFY)
        created = await client.post(
            "/services/rest/record/v1/customer",
            json={"companyName": "Acme"},
            headers=netsuite_headers("POST", f"{served}/services/rest/record/v1/customer"),
        )
        location = created.headers["Location"]
        read = await client.get(location, headers=netsuite_headers("GET", location))

    assert health.json()["status"] == "ok"
    assert contact.status_code == 201
    assert customers.json() == {"customers": []}
    assert created.status_code == 204
    assert location.startswith(served)
    assert read.json()["companyName"] == "Acme"
