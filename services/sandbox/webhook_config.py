"""The switches of webhook delivery (see :mod:`services.sandbox.webhooks`), and its seeded randomness."""

import random

from pydantic import BaseModel, ConfigDict, Field

from services.sandbox.webhook_payloads import DEFAULT_HUBSPOT_SUBSCRIPTIONS


def seeded_random(seed: int, stream: str) -> random.Random:
    """An independent reproducible stream per purpose, so retry timing never shifts ids or faults."""
    return random.Random(f"{seed}:{stream}")  # noqa: S311  # simulation, not security


class WebhookConfig(BaseModel):
    """Switches of webhook delivery; replaced whole (it is frozen) by ``PUT /_admin/webhooks/config``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    target_url: str | None = None
    """Overrides ``SandboxSettings.webhook_target_url`` when set."""
    netsuite_callouts: bool = False
    netsuite_callout_record_types: tuple[str, ...] = ("customer", "inventoryItem", "salesOrder")
    """The record types the user-event script is deployed on (credit memos are read with their order)."""
    duplicate_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    drop_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    reorder: bool = False
    """Hold deliveries for ``reorder_window_seconds`` and release them in a shuffled order."""
    reorder_window_seconds: float = Field(default=0.5, gt=0.0, le=60.0)
    delay_seconds: float = Field(default=0.0, ge=0.0, le=300.0)
    max_attempts: int = Field(default=5, ge=1, le=20)
    retry_base_seconds: float = Field(default=1.0, gt=0.0, le=3600.0)
    retry_max_seconds: float = Field(default=60.0, gt=0.0, le=86_400.0)
    timeout_seconds: float = Field(default=5.0, gt=0.0, le=60.0)
    batch_window_seconds: float = Field(default=0.2, ge=0.0, le=10.0)
    hubspot_max_batch: int = Field(default=99, ge=1, le=100)
    max_in_flight: int = Field(default=10, ge=1, le=100)
    """HubSpot keeps at most 10 requests in flight per account."""
    hubspot_subscriptions: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_HUBSPOT_SUBSCRIPTIONS)
    )
