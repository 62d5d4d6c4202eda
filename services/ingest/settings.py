"""Settings of the ingest service (env prefix CONCORD_, nested values with ``__``).

Platform connector settings nest under ``hubspot``, ``shopify`` and ``netsuite``
(``CONCORD_SHOPIFY__ACCESS_TOKEN``, ``CONCORD_NETSUITE__TOKEN_SECRET``...). A platform without them
is neither polled, hydrated nor refreshed: ingest logs that at start and dead-letters what it cannot
serve, so nothing is dropped silently.
"""

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.adapters.budget import BudgetPolicy
from shared.adapters.platforms.settings import HubSpotSettings, NetSuiteSettings, ShopifySettings
from shared.adapters.settings import ServiceSettings


class PollingSettings(BaseModel):
    """How often each platform resource is polled and how the cycles of replicas cooperate."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    shopify_interval_seconds: float = Field(default=30.0, gt=0)
    netsuite_interval_seconds: float = Field(default=60.0, gt=0)
    hubspot_interval_seconds: float = Field(
        default=300.0, gt=0, description="the backstop poll behind HubSpot's webhooks"
    )
    overlap_seconds: float = Field(
        default=120.0, ge=0, description="re-read before the cursor every cycle: late records surface here"
    )
    initial_lookback_seconds: float = Field(
        default=86_400.0, ge=0, description="where a cursor that was never saved starts"
    )
    lease_ttl_seconds: float = Field(
        default=60.0, gt=0, description="a holder that stops renewing loses its cursors within two of these"
    )
    retry_seconds: float = Field(default=5.0, gt=0, description="pause after a failed cycle")


class ConsumerSettings(BaseModel):
    """The micro-batches of the raw-notification and refresh consumers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hydration_batch_size: int = Field(default=100, ge=1, le=500)
    hydration_window_ms: int = Field(default=250, ge=1, description="wait at most this for a batch to fill")
    refresh_batch_size: int = Field(default=50, ge=1, le=500)
    refresh_window_ms: int = Field(default=100, ge=1)
    retry_seconds: float = Field(
        default=2.0, gt=0, description="pause before a batch that failed transiently is read again"
    )


class IngestSettings(ServiceSettings):
    """Where ingest listens, the webhook secrets it verifies with, the platforms it reads, its limits.

    The webhook secrets have no defaults on purpose: ingest refuses to start without them.
    """

    model_config = SettingsConfigDict(env_nested_delimiter="__")  # merged with the parent's config

    service_name: str = "ingest"
    replica_id: str | None = Field(
        default=None, description="this replica's lease holder name; None: host name + process id"
    )
    ingest_host: str = "127.0.0.1"
    ingest_port: int = 8000
    public_base_url: str | None = Field(
        default=None, description="External base URL (behind a proxy), used to rebuild the URI HubSpot signed"
    )
    hubspot_client_secret: SecretStr
    shopify_api_secret: SecretStr
    shopify_previous_api_secrets: list[SecretStr] = Field(
        default_factory=list,
        description="Secrets still accepted during a rotation (Shopify takes up to an hour)",
    )
    netsuite_callout_secret: SecretStr
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    publish_timeout_seconds: float = Field(
        default=4.0, gt=0, description="Answer 503 if Kafka has not acknowledged by then (HubSpot waits 5 s)"
    )
    topic_partitions: int = Field(default=6, ge=1, description="partitions of topics ingest creates")
    hubspot: HubSpotSettings | None = None
    shopify: ShopifySettings | None = None
    netsuite: NetSuiteSettings | None = None
    budget: BudgetPolicy = BudgetPolicy()
    polling: PollingSettings = PollingSettings()
    consumers: ConsumerSettings = ConsumerSettings()
