"""Each connector against the platform sandbox over real HTTP: reads, batch reads, change listings
across several pages, writes, a 429 with Retry-After waited out, a bad credential, a malformed body."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from shared.adapters.budget import UnlimitedBudget
from shared.adapters.platforms.base import PlatformConnector, iterate_changes, new_tag
from shared.adapters.platforms.hubspot import HubSpotConnector
from shared.adapters.platforms.netsuite import NetSuiteConnector
from shared.adapters.platforms.settings import HttpPolicy, HubSpotSettings, NetSuiteSettings, ShopifySettings
from shared.adapters.platforms.shopify import ShopifyConnector
from shared.core.errors import AuthFailed, MalformedResponse, NotFound
from shared.core.model import EntityType, System
from shared.core.platforms.base import WireObject
from tests.integration.connectors.conftest import Sandbox

POLICY = HttpPolicy(
    read_timeout=10.0, max_attempts=4, backoff_initial=0.05, backoff_max=0.5, max_retry_after=5.0
)
Body = Callable[[int], WireObject]


@dataclass(frozen=True)
class Platform:
    system: System
    connector: Callable[[Sandbox, httpx.AsyncClient, bool], PlatformConnector]
    create: dict[EntityType, Body]
    update: dict[EntityType, WireObject]
    missing_id: str


def _hubspot(sandbox: Sandbox, http: httpx.AsyncClient, valid: bool) -> PlatformConnector:
    settings = sandbox.settings
    token = settings.hubspot_token if valid else SecretStr("pat-expired")  # type: ignore[attr-defined]
    return HubSpotConnector(
        HubSpotSettings(
            base_url=sandbox.base_url,
            portal_id=62515,
            token=token,
            search_page_size=2,
            batch_size=2,
            http=POLICY,
        ),
        http,
        UnlimitedBudget(),
    )


def _shopify(sandbox: Sandbox, http: httpx.AsyncClient, valid: bool) -> PlatformConnector:
    settings = sandbox.settings
    token = settings.shopify_access_token if valid else SecretStr("shpat_revoked")  # type: ignore[attr-defined]
    return ShopifyConnector(
        ShopifySettings(
            shop="concord-demo", base_url=sandbox.base_url, access_token=token, page_size=2, http=POLICY
        ),
        http,
        UnlimitedBudget(),
    )


def _netsuite(sandbox: Sandbox, http: httpx.AsyncClient, valid: bool) -> PlatformConnector:
    s = sandbox.settings
    return NetSuiteConnector(
        NetSuiteSettings(
            account_id="1234567_SB1",
            base_url=sandbox.base_url,
            consumer_key=s.netsuite_consumer_key,  # type: ignore[attr-defined]
            consumer_secret=s.netsuite_consumer_secret,  # type: ignore[attr-defined]
            token_id=s.netsuite_token_id,  # type: ignore[attr-defined]
            token_secret=s.netsuite_token_secret if valid else SecretStr("wrong"),  # type: ignore[attr-defined]
            page_size=2,
            http=POLICY,
        ),
        http,
        UnlimitedBudget(),
    )


PLATFORMS = [
    Platform(
        System.HUBSPOT,
        _hubspot,
        {
            EntityType.CUSTOMER: lambda n: {
                "properties": {"email": f"c{n}@concord.example", "firstname": f"C{n}"}
            },
            EntityType.PRODUCT: lambda n: {
                "properties": {"name": f"Product {n}", "hs_sku": f"SKU-{n}", "price": "9.99"}
            },
            EntityType.ORDER: lambda n: {
                "properties": {"dealname": f"Order {n}", "amount": "19.98", "dealstage": "closedwon"}
            },
        },
        {
            EntityType.CUSTOMER: {"properties": {"phone": "+16135550100"}},
            EntityType.PRODUCT: {"properties": {"price": "12.50"}},
            EntityType.ORDER: {"properties": {"amount": "25.00"}},
        },
        "999999999",
    ),
    Platform(
        System.SHOPIFY,
        _shopify,
        {
            EntityType.CUSTOMER: lambda n: {
                "customer": {"email": f"c{n}@concord.example", "first_name": f"C{n}"}
            },
            EntityType.PRODUCT: lambda n: {
                "product": {"title": f"Product {n}", "variants": [{"sku": f"SKU-{n}", "price": "9.99"}]}
            },
            EntityType.ORDER: lambda n: {
                "order": {
                    "email": f"c{n}@concord.example",
                    "currency": "USD",
                    "line_items": [{"title": "T-Shirt", "sku": "SKU-1", "quantity": 2, "price": "9.99"}],
                }
            },
        },
        {
            EntityType.CUSTOMER: {"customer": {"phone": "+16135550100"}},
            EntityType.PRODUCT: {"variant": {"price": "12.50"}},
            EntityType.ORDER: {"order": {"email": "changed@concord.example"}},
        },
        "424242",
    ),
    Platform(
        System.NETSUITE,
        _netsuite,
        {
            EntityType.CUSTOMER: lambda n: {"companyName": f"Company {n}", "email": f"c{n}@concord.example"},
            EntityType.PRODUCT: lambda n: {
                "itemId": f"SKU-{n}",
                "displayName": f"Product {n}",
                "basePrice": 9.99,
            },
            EntityType.ORDER: lambda n: {"otherRefNum": f"#{1000 + n}", "email": f"c{n}@concord.example"},
        },
        {
            EntityType.CUSTOMER: {"phone": "+16135550100"},
            EntityType.PRODUCT: {"displayName": "Renamed"},
            EntityType.ORDER: {"otherRefNum": "#9999"},
        },
        "424242",
    ),
]
IDS = [platform.system.value for platform in PLATFORMS]


@pytest.mark.parametrize("platform", PLATFORMS, ids=IDS)
@pytest.mark.parametrize("entity_type", list(EntityType))
async def test_create_read_update_and_batch_read(
    platform: Platform, entity_type: EntityType, sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    connector = platform.connector(sandbox, http, True)
    created = [
        await connector.create(entity_type, platform.create[entity_type](n), tag=new_tag()) for n in (1, 2)
    ]
    first_id = created[0].record.external_id()
    read = await connector.read(entity_type, first_id)
    assert read.source_version() == created[0].receipt.source_version
    updated = await connector.update(entity_type, first_id, platform.update[entity_type], tag=new_tag())
    assert updated.record.external_id() == first_id
    assert updated.record.source_updated_at() >= read.source_updated_at()
    ids = [result.record.external_id() for result in created]
    many = await connector.read_many(entity_type, [*ids, platform.missing_id])
    assert sorted(record.external_id() for record in many) == sorted(ids)
    with pytest.raises(NotFound):
        await connector.read(entity_type, platform.missing_id)


@pytest.mark.parametrize("platform", PLATFORMS, ids=IDS)
async def test_changes_are_listed_across_several_pages(
    platform: Platform, sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    connector = platform.connector(sandbox, http, True)
    since = datetime.now(UTC) - timedelta(seconds=2)
    created = {
        (
            await connector.create(
                EntityType.CUSTOMER, platform.create[EntityType.CUSTOMER](n), tag=new_tag()
            )
        ).record.external_id()
        for n in range(10, 15)
    }
    pages = [page async for page in iterate_changes(connector, EntityType.CUSTOMER, since)]
    listed = [record.external_id() for page in pages for record in page.records]
    assert len(pages) >= 3
    assert created <= set(listed)


@pytest.mark.parametrize("platform", PLATFORMS, ids=IDS)
async def test_a_429_with_retry_after_is_waited_out(
    platform: Platform, sandbox: Sandbox, http: httpx.AsyncClient, faults: httpx.AsyncClient
) -> None:
    connector = platform.connector(sandbox, http, True)
    created = await connector.create(
        EntityType.CUSTOMER, platform.create[EntityType.CUSTOMER](20), tag=new_tag()
    )
    storm = {"rate_limit_storm": {"requests": 1, "retry_after": 0.6}}
    (
        await faults.put(f"{sandbox.base_url}/_admin/faults", json={platform.system.value: storm})
    ).raise_for_status()
    started = time.monotonic()
    record = await connector.read(EntityType.CUSTOMER, created.record.external_id())
    assert time.monotonic() - started >= 0.6
    assert record.external_id() == created.record.external_id()


@pytest.mark.parametrize("platform", PLATFORMS, ids=IDS)
async def test_an_invalid_credential_is_auth_failed(
    platform: Platform, sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    with pytest.raises(AuthFailed) as raised:
        await platform.connector(sandbox, http, False).read(EntityType.CUSTOMER, "1")
    assert raised.value.details


@pytest.mark.parametrize("platform", PLATFORMS, ids=IDS)
async def test_a_malformed_response_is_an_error(
    platform: Platform, sandbox: Sandbox, http: httpx.AsyncClient, faults: httpx.AsyncClient
) -> None:
    connector = platform.connector(sandbox, http, True)
    created = await connector.create(
        EntityType.CUSTOMER, platform.create[EntityType.CUSTOMER](30), tag=new_tag()
    )
    malformed = {"malformed_responses": 1}
    (
        await faults.put(f"{sandbox.base_url}/_admin/faults", json={platform.system.value: malformed})
    ).raise_for_status()
    with pytest.raises(MalformedResponse):
        await connector.read(EntityType.CUSTOMER, created.record.external_id())
