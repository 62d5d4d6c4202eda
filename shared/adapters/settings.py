"""Settings pieces every service shares. Each service's own ``settings.py`` extends ``ServiceSettings``.

Values come from ``CONCORD_*`` environment variables (and an optional ``.env`` file), validated once
at start-up; no other module reads the environment.
"""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every Concord service needs: Kafka, MongoDB and logging."""

    model_config = SettingsConfigDict(env_prefix="CONCORD_", env_file=".env", extra="ignore", frozen=True)

    service_name: str = "concord"
    kafka_bootstrap: str = Field(
        default="127.0.0.1:19092", description="Kafka bootstrap servers, comma-separated"
    )
    topic_prefix: str = Field(
        default="", description="Prefix for every topic name (tests, multi-tenant brokers)"
    )
    mongodb_uri: SecretStr = Field(default=SecretStr("mongodb://127.0.0.1:27018/"))
    mongodb_database: str = "concord"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
