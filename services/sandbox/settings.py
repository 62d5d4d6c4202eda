"""Settings of the platform sandbox (env prefix CONCORD_): listen address, credentials and limits.

Every credential and limit of the three imitated platforms lives here so that tests and demos can
tighten a limit or rotate a secret without touching code.
"""

from pydantic import SecretStr

from shared.adapters.settings import ServiceSettings


class SandboxSettings(ServiceSettings):
    """One sandbox process imitating HubSpot, Shopify and NetSuite on their real paths."""

    service_name: str = "sandbox"
    mongodb_database: str = "concord_sandbox"
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8900
    sandbox_seed: int = 7

    hubspot_token: SecretStr = SecretStr("pat-na1-sandbox")
    hubspot_client_secret: SecretStr = SecretStr("hubspot-sandbox-secret")
    hubspot_portal_id: int = 62515
    hubspot_app_id: int = 1160452
    hubspot_burst_limit: int = 190
    hubspot_daily_limit: int = 650_000
    hubspot_search_per_second: int = 5

    shopify_shop: str = "concord-demo"
    shopify_api_version: str = "2024-07"
    shopify_access_token: SecretStr = SecretStr("shpat_sandbox")
    shopify_api_secret: SecretStr = SecretStr("shopify-sandbox-secret")
    shopify_bucket_size: int = 40
    shopify_leak_per_second: float = 2.0

    netsuite_account_id: str = "1234567_SB1"
    netsuite_consumer_key: SecretStr = SecretStr("ns-consumer-key")
    netsuite_consumer_secret: SecretStr = SecretStr("ns-consumer-secret")
    netsuite_token_id: SecretStr = SecretStr("ns-token-id")
    netsuite_token_secret: SecretStr = SecretStr("ns-token-secret")
    netsuite_concurrency: int = 5
    netsuite_callout_secret: SecretStr = SecretStr("netsuite-callout-secret")

    webhook_target_url: str | None = None
