"""Credentials of the default sandbox settings, as each platform's client sends them."""

from __future__ import annotations

import httpx
from oauthlib.oauth1 import (  # type: ignore[import-untyped]  # oauthlib ships no type information
    SIGNATURE_HMAC_SHA256,
    Client,
)

from services.sandbox.settings import SandboxSettings

HUBSPOT = {"Authorization": "Bearer pat-na1-sandbox"}
SHOPIFY = {"X-Shopify-Access-Token": "shpat_sandbox"}
SHOPIFY_PREFIX = "/admin/api/2024-07"
NETSUITE_PREFIX = "/services/rest/record/v1"


def netsuite_headers(
    method: str,
    url: str | httpx.URL,
    settings: SandboxSettings | None = None,
    *,
    token_secret: str | None = None,
) -> dict[str, str]:
    """An ``Authorization: OAuth ...`` header signed like a NetSuite TBA client (no body hash)."""
    config = settings or SandboxSettings()
    client = Client(
        config.netsuite_consumer_key.get_secret_value(),
        client_secret=config.netsuite_consumer_secret.get_secret_value(),
        resource_owner_key=config.netsuite_token_id.get_secret_value(),
        resource_owner_secret=token_secret or config.netsuite_token_secret.get_secret_value(),
        signature_method=SIGNATURE_HMAC_SHA256,
        realm=config.netsuite_account_id,
    )
    _, headers, _ = client.sign(str(url), http_method=method)
    return dict(headers)


async def netsuite_request(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    json: object | None = None,
    token_secret: str | None = None,
) -> httpx.Response:
    """Send a signed NetSuite request; ``url`` may be relative to the client's base URL or absolute."""
    absolute = client.base_url.join(url)
    headers = netsuite_headers(method, absolute, token_secret=token_secret)
    return await client.request(method, absolute, headers=headers, json=json)
