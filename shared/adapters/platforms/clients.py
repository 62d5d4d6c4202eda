"""The configured platforms' connectors, built from settings, sharing one HTTP client and API budget.

Used by every service that calls the platforms (ingest reads, the syncer writes); only platforms
with settings get a connector, the others are logged once.
"""

from typing import Protocol

import httpx
import structlog
from prometheus_client import CollectorRegistry
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.budget import BudgetPolicy, BudgetRegistry
from shared.adapters.metrics import ConnectorMetrics
from shared.adapters.mongo.client import Document
from shared.adapters.platforms.base import PlatformConnector
from shared.adapters.platforms.budget_store import MongoBudgetStore
from shared.adapters.platforms.hubspot import HubSpotConnector, hubspot_limits
from shared.adapters.platforms.netsuite import NetSuiteConnector, netsuite_limits
from shared.adapters.platforms.settings import HubSpotSettings, NetSuiteSettings, ShopifySettings
from shared.adapters.platforms.shopify import ShopifyConnector, shopify_limits
from shared.core.model import System

log = structlog.get_logger(__name__)

BUDGET_COLLECTION = "api_budget"


class PlatformAccounts(Protocol):
    """The settings pieces a service holds for its platforms."""

    @property
    def hubspot(self) -> HubSpotSettings | None: ...
    @property
    def shopify(self) -> ShopifySettings | None: ...
    @property
    def netsuite(self) -> NetSuiteSettings | None: ...
    @property
    def budget(self) -> BudgetPolicy: ...


class PlatformClients:
    """The configured platforms' connectors (``connectors``) and the account each one uses.

    Owns its HTTP client: call :meth:`close` at shutdown.
    """

    def __init__(
        self, settings: PlatformAccounts, database: AsyncDatabase[Document], registry: CollectorRegistry
    ) -> None:
        self.connectors: dict[System, PlatformConnector] = {}
        self.accounts: dict[System, str] = {}
        configured = [s for s in (settings.hubspot, settings.shopify, settings.netsuite) if s is not None]
        self._http = httpx.AsyncClient() if configured else None
        self._build(settings, database, registry)
        for system in System:
            if system not in self.connectors:
                log.info("platform_not_configured", system=system.value)

    def _build(
        self, settings: PlatformAccounts, database: AsyncDatabase[Document], registry: CollectorRegistry
    ) -> None:
        if self._http is None:
            return
        metrics = ConnectorMetrics(registry)
        budgets = BudgetRegistry(MongoBudgetStore(database[BUDGET_COLLECTION]), settings.budget, metrics)
        if (hubspot := settings.hubspot) is not None:
            account = str(hubspot.portal_id)
            budget = budgets.budget(System.HUBSPOT, account, hubspot_limits(hubspot))
            self._add(System.HUBSPOT, account, HubSpotConnector(hubspot, self._http, budget, metrics=metrics))
        if (shopify := settings.shopify) is not None:
            budget = budgets.budget(System.SHOPIFY, shopify.shop, shopify_limits(shopify))
            self._add(
                System.SHOPIFY, shopify.shop, ShopifyConnector(shopify, self._http, budget, metrics=metrics)
            )
        if (netsuite := settings.netsuite) is not None:
            budget = budgets.budget(System.NETSUITE, netsuite.account_id, netsuite_limits(netsuite))
            connector = NetSuiteConnector(netsuite, self._http, budget, metrics=metrics)
            self._add(System.NETSUITE, netsuite.account_id, connector)

    def _add(self, system: System, account: str, connector: PlatformConnector) -> None:
        self.connectors[system] = connector
        self.accounts[system] = account

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()


__all__ = ["BUDGET_COLLECTION", "PlatformAccounts", "PlatformClients"]
