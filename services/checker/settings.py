"""Settings of the checker service (env prefix ``CONCORD_``; nested values with ``__``, e.g.
``CONCORD_PULSE__ENABLED=false``)."""

import uuid
from datetime import timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.checker.pulse import PulseSettings
from shared.adapters.budget import BudgetPolicy
from shared.adapters.settings import ServiceSettings


class CheckerSettings(ServiceSettings):
    """The checker's configuration. Consumer groups are ``<group_id>.link``, ``<group_id>.evaluate`` and
    ``<group_id>.decisions``."""

    model_config = SettingsConfigDict(env_nested_delimiter="__")

    service_name: str = "checker"
    group_id: str = "concord-checker"
    instance_id: str = Field(
        default_factory=lambda: f"checker-{uuid.uuid4().hex[:8]}",
        description="This replica's name (lease holder, logs)",
    )
    policy_path: Path | None = Field(default=None, description="Policy TOML; the shipped default when unset")
    auto_link_at: float = Field(default=0.95, ge=0, le=1, description="Match confidence that links unasked")
    propose_at: float = Field(default=0.6, ge=0, le=1, description="Match confidence that proposes a link")
    ambiguity_margin: float = Field(default=0.1, ge=0, le=1)
    link_batch_size: int = Field(default=500, ge=1, description="Observations per link-stage batch")
    evaluate_batch_size: int = Field(default=500, ge=1, description="Entity changes per evaluate-stage batch")
    decisions_batch_size: int = Field(
        default=100, ge=1, description="Sync commands per decisions-stage batch"
    )
    batch_timeout_ms: int = Field(default=200, ge=0, description="How long a poll waits to fill a batch")
    retry_delay_seconds: float = Field(
        default=1.0, ge=0, description="Pause before a failed batch is redelivered"
    )
    echo_window_seconds: float = Field(
        default=900.0, gt=0, description="How long a Concord write can echo back"
    )
    default_phone_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    default_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    ensure_topics: bool = Field(default=True, description="Create missing topics at start-up")
    topic_partitions: int = Field(default=6, ge=1)
    metrics_port: int | None = Field(default=None, description="Serve Prometheus metrics on this port")
    pulse: PulseSettings = PulseSettings()
    budget: BudgetPolicy = BudgetPolicy()

    @property
    def echo_window(self) -> timedelta:
        return timedelta(seconds=self.echo_window_seconds)
