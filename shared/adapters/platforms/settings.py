"""Connector settings: where each platform is, how Concord authenticates, and its published limits.

Plain frozen pydantic models, nested into a service's ``ServiceSettings`` by the service that
uses connectors (so values still come from ``CONCORD_*`` variables); secrets are ``SecretStr``.
Limits default to the tier PLATFORMS.md names (HubSpot private app Professional, Shopify Standard
REST, NetSuite shared tier) and must be set to the account's own.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class HttpPolicy(BaseModel):
    """Timeouts and retries of one connector's HTTP calls."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=30.0, gt=0, description="per request; every request has one")
    max_attempts: int = Field(default=5, ge=1, description="first try included")
    backoff_initial: float = Field(default=0.5, gt=0, description="seconds; doubles per retry, jittered")
    backoff_max: float = Field(default=20.0, gt=0)
    max_retry_after: float = Field(
        default=60.0, gt=0, description="a longer Retry-After is not waited out: RateLimited is raised"
    )

    @property
    def request_seconds(self) -> float:
        """The longest one request can take: what a concurrency lease must outlive."""
        return self.connect_timeout + self.read_timeout


class HubSpotSettings(BaseModel):
    """A HubSpot account reached with a private-app token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = "https://api.hubapi.com"
    portal_id: int = Field(description="the account (portal) id: the budget is per account")
    token: SecretStr = Field(description="private-app access token, sent as a bearer token")
    burst_limit: int = Field(default=190, ge=1, description="requests per burst window")
    burst_window_seconds: float = Field(default=10.0, gt=0)
    daily_limit: int = Field(default=650_000, ge=1, description="per account, reset at midnight UTC")
    search_per_second: int = Field(default=5, ge=1)
    search_page_size: int = Field(default=200, ge=1, le=200)
    search_result_cap: int = Field(default=10_000, ge=1, description="paging past it answers 400")
    batch_size: int = Field(default=100, ge=1, le=100)
    provenance_property: str | None = Field(
        default=None,
        description="a single-line text property created in the portal to hold Concord's write tag; "
        "None keeps the tag on Concord's side only",
    )
    http: HttpPolicy = HttpPolicy()


class ShopifySettings(BaseModel):
    """A Shopify shop reached with an Admin API access token (REST)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shop: str = Field(description="the shop's subdomain: acme -> acme.myshopify.com")
    base_url: str | None = Field(default=None, description="None: https://<shop>.myshopify.com")
    api_version: str = "2024-07"
    access_token: SecretStr
    bucket_size: int = Field(default=40, ge=1)
    leak_per_second: float = Field(default=2.0, gt=0)
    page_size: int = Field(default=250, ge=1, le=250)
    provenance_metafields: bool = Field(
        default=True, description="write Concord's tag as a concord.sync_tag metafield on every write"
    )
    http: HttpPolicy = HttpPolicy()

    @property
    def api_root(self) -> str:
        """``https://<shop>.myshopify.com/admin/api/<version>``."""
        host = self.base_url or f"https://{self.shop}.myshopify.com"
        return f"{host.rstrip('/')}/admin/api/{self.api_version}"


class NetSuiteSettings(BaseModel):
    """A NetSuite account reached with token-based authentication (OAuth 1.0a, HMAC-SHA256)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: str = Field(description="as in the realm: uppercase, underscore (1234567_SB1)")
    base_url: str | None = Field(
        default=None, description="None: https://<account-id>.suitetalk.api.netsuite.com"
    )
    consumer_key: SecretStr
    consumer_secret: SecretStr
    token_id: SecretStr
    token_secret: SecretStr
    concurrency: int = Field(default=5, ge=1, description="the account's concurrent-request limit")
    page_size: int = Field(default=1000, ge=1, le=1000)
    user_time_zone: str = Field(
        default="UTC",
        description="the integration user's time zone preference (IANA name): NetSuite reads the "
        "date-times of a change query in it",
    )
    provenance_fields: dict[str, str] = Field(
        default_factory=dict,
        description="record type -> custom field holding Concord's write tag "
        "(e.g. customer -> custentity_concord_sync); absent types keep the tag on Concord's side",
    )
    http: HttpPolicy = HttpPolicy()

    @field_validator("user_time_zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {zone!r}") from error
        return zone

    @property
    def realm(self) -> str:
        """The OAuth realm: the account id uppercase with an underscore."""
        return self.account_id.upper().replace("-", "_")

    @property
    def rest_root(self) -> str:
        """``https://<account-id>.suitetalk.api.netsuite.com/services/rest``."""
        host = (
            self.base_url or f"https://{self.account_id.lower().replace('_', '-')}.suitetalk.api.netsuite.com"
        )
        return f"{host.rstrip('/')}/services/rest"
