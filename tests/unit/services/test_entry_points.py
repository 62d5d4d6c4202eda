"""Every service has an obvious entry point and its own settings object read from CONCORD_* variables."""

import importlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.checker.settings import CheckerSettings
from services.dashboard.settings import DashboardSettings
from services.ingest.settings import IngestSettings
from services.syncer.settings import SyncerSettings

SERVICES = ["ingest", "checker", "syncer", "dashboard"]
REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_main_app_and_settings_modules(name: str) -> None:
    for module in ("__main__", "app", "settings"):
        assert (REPO / "services" / name / f"{module}.py").is_file()
    assert callable(importlib.import_module(f"services.{name}.__main__").main)


def test_settings_come_from_concord_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCORD_KAFKA_BOOTSTRAP", "kafka.example:9092")
    monkeypatch.setenv("CONCORD_MONGODB_URI", "mongodb://user:pw@db.example:27017/")
    monkeypatch.setenv("CONCORD_INGEST_PORT", "8123")

    settings = IngestSettings()

    assert settings.kafka_bootstrap == "kafka.example:9092"
    assert settings.ingest_port == 8123
    assert "pw" not in repr(settings)  # the URI is a secret
    assert settings.mongodb_uri.get_secret_value() == "mongodb://user:pw@db.example:27017/"


def test_each_service_names_itself() -> None:
    names = {
        cls().service_name for cls in (IngestSettings, CheckerSettings, SyncerSettings, DashboardSettings)
    }
    assert names == set(SERVICES)


def test_invalid_setting_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCORD_INGEST_PORT", "not-a-port")
    with pytest.raises(ValidationError, match="ingest_port"):
        IngestSettings()
