"""Settings of the syncer service (env prefix CONCORD_, nested values with ``__``).

Platform connector settings nest under ``hubspot``, ``shopify`` and ``netsuite`` as in ingest
(``CONCORD_NETSUITE__TOKEN_SECRET``...). A command that needs a platform without settings goes
``dead`` with that reason.
"""

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from services.syncer.retries import RetryScheduling
from shared.adapters.budget import BudgetPolicy
from shared.adapters.platforms.settings import HubSpotSettings, NetSuiteSettings, ShopifySettings
from shared.adapters.settings import ServiceSettings
from shared.core.sync import RetryPolicy


class RetrySettings(BaseModel):
    """Command-level retries after the connector's own retries of one call gave up.

    A retried command waits in the store (``retrying``, with its next attempt time), not in a
    consumer; the retry scheduler scans for due ones every ``scan_seconds`` and sends them back to
    the command topic, again after ``requeue_after_seconds`` if the attempt has not started.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attempts: int = Field(default=5, ge=1, le=20)
    base_delay_seconds: float = Field(default=1.0, gt=0)
    max_delay_seconds: float = Field(default=60.0, gt=0)
    scan_seconds: float = Field(default=1.0, gt=0)
    requeue_after_seconds: float = Field(default=60.0, gt=0)

    def scheduling(self) -> RetryScheduling:
        return RetryScheduling(
            scan_every=timedelta(seconds=self.scan_seconds),
            requeue_after=timedelta(seconds=self.requeue_after_seconds),
        )

    def policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay=self.base_delay_seconds,
            max_delay=self.max_delay_seconds,
        )


class SyncerSettings(ServiceSettings):
    """The syncer's configuration: Kafka, MongoDB, the platforms it writes to, its policy and retries."""

    model_config = SettingsConfigDict(env_nested_delimiter="__")  # merged with the parent's config

    service_name: str = "syncer"
    group_id: str = "concord-syncer"
    topic_partitions: int = Field(default=6, ge=1, description="partitions of topics the syncer creates")
    hubspot: HubSpotSettings | None = None
    shopify: ShopifySettings | None = None
    netsuite: NetSuiteSettings | None = None
    budget: BudgetPolicy = BudgetPolicy()
    retry: RetrySettings = RetrySettings()
    policy_file: Path | None = Field(
        default=None, description="reconciliation policy TOML; default: built-in"
    )
    default_phone_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    default_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    batch_size: int = Field(default=20, ge=1, le=500)
    retry_batch_seconds: float = Field(
        default=2.0, gt=0, description="pause before a failed batch is re-read"
    )
    metrics_port: int | None = None
    test_pause_after_write_seconds: float = Field(
        default=0.0,
        ge=0,
        le=120,
        description="tests only: wait this long after a platform write before recording it, so a test can "
        "kill the process in that window; adds no behaviour when 0 (the default)",
    )
