"""Every service has an obvious entry point and its own settings object read from CONCORD_* variables."""

import importlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.checker.settings import CheckerSettings
from services.dashboard.settings import DashboardSettings
from services.ingest.settings import IngestSettings
from services.sandbox.settings import SandboxSettings
from services.syncer.settings import SyncerSettings

SERVICES = ["ingest", "checker", "syncer", "dashboard", "sandbox"]
INGEST_SECRETS = {
    "CONCORD_HUBSPOT_CLIENT_SECRET": "hs",
    "CONCORD_SHOPIFY_API_SECRET": "sh",
    "CONCORD_NETSUITE_CALLOUT_SECRET": "ns",
}


@pytest.fixture
def ingest_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in INGEST_SECRETS.items():
        monkeypatch.setenv(name, value)


REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_main_app_and_settings_modules(name: str) -> None:
    for module in ("__main__", "app", "settings"):
        assert (REPO / "services" / name / f"{module}.py").is_file()
    assert callable(importlib.import_module(f"services.{name}.__main__").main)


@pytest.mark.usefixtures("ingest_secrets")
def test_settings_come_from_concord_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCORD_KAFKA_BOOTSTRAP", "kafka.example:9092")
    monkeypatch.setenv("CONCORD_MONGODB_URI", "mongodb://user:pw@db.example:27017/")
    monkeypatch.setenv("CONCORD_INGEST_PORT", "8123")

    settings = IngestSettings()

    assert settings.kafka_bootstrap == "kafka.example:9092"
    assert settings.ingest_port == 8123
    assert "pw" not in repr(settings)  # the URI is a secret
    assert settings.mongodb_uri.get_secret_value() == "mongodb://user:pw@db.example:27017/"


@pytest.mark.usefixtures("ingest_secrets")
def test_each_service_names_itself() -> None:
    classes = (IngestSettings, CheckerSettings, SyncerSettings, DashboardSettings, SandboxSettings)
    names = {cls().service_name for cls in classes}
    assert names == set(SERVICES)


def test_ingest_refuses_to_start_without_its_webhook_secrets() -> None:
    with pytest.raises(ValidationError, match="hubspot_client_secret"):
        IngestSettings()


@pytest.mark.usefixtures("ingest_secrets")
def test_invalid_setting_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCORD_INGEST_PORT", "not-a-port")
    with pytest.raises(ValidationError, match="ingest_port"):
        IngestSettings()
