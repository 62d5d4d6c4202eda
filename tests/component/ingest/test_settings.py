"""Ingest's settings: connector settings nest under CONCORD_<PLATFORM>__*, a platform without them is absent."""

import pytest

from services.ingest.settings import IngestSettings


def test_connector_settings_come_from_double_underscore_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "CONCORD_HUBSPOT_CLIENT_SECRET": "hs",
        "CONCORD_SHOPIFY_API_SECRET": "sh",
        "CONCORD_NETSUITE_CALLOUT_SECRET": "ns",
        "CONCORD_SHOPIFY__SHOP": "acme",
        "CONCORD_SHOPIFY__ACCESS_TOKEN": "shpat_x",
        "CONCORD_POLLING__OVERLAP_SECONDS": "30",
    }.items():
        monkeypatch.setenv(name, value)

    settings = IngestSettings()

    assert settings.shopify is not None
    assert settings.shopify.access_token.get_secret_value() == "shpat_x"
    assert settings.shopify_api_secret.get_secret_value() == "sh"  # the flat webhook secret is not nested
    assert settings.polling.overlap_seconds == 30.0
    assert settings.hubspot is None
    assert settings.netsuite is None
