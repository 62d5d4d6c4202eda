"""Acceptance (issue 8): single sign-on through an OIDC provider, with roles from configuration.

The dashboard runs as its own server process (``python -m services.dashboard``) with SSO switched on
and Streamlit's ``[auth]`` secrets in a file of the test's; the provider is a real OpenID Connect server
over HTTP (``tests/support/oidc_provider.py``: discovery, authorization code, RS256 ID tokens, JWKS).
Headless Chromium clicks "Sign in with SSO", follows Streamlit's ``st.login`` redirects through the
provider and back, and the sidebar names the identity and the role ``CONCORD_OIDC_ROLES`` gives it;
an identity the configuration does not list is a viewer (what a viewer may not do is tested on the
pages, ``tests/integration/dashboard/test_pages.py``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pymongo import MongoClient

from infra.processes import HttpProbe, ServiceSpec, Supervisor
from tests.e2e.browser import RENDER_TIMEOUT_MS, chromium_page, require_chromium, screenshot
from tests.support.oidc_provider import OidcProvider, serve_oidc_provider
from tests.support.sandbox import free_port

pytestmark = pytest.mark.e2e

OPERATOR = "olivia@acme.example"
STRANGER = "someone@elsewhere.example"


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    with serve_oidc_provider() as running:
        yield running


@pytest.fixture
def dashboard_url(
    provider: OidcProvider, kafka_bootstrap: str, mongo_uri: str, unique: str, tmp_path: Path
) -> Iterator[str]:
    require_chromium()
    port = free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        "[auth.acme]\n"
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
    )
    supervisor = Supervisor(tmp_path / "run")
    env = {
        "CONCORD_KAFKA_BOOTSTRAP": kafka_bootstrap, "CONCORD_MONGODB_URI": mongo_uri,
        "CONCORD_MONGODB_DATABASE": f"oidc_{unique}", "CONCORD_TOPIC_PREFIX": f"oidc{unique}",
        "CONCORD_DASHBOARD_PORT": str(port), "CONCORD_DASHBOARD_SECRETS_FILE": str(secrets_file),
        "CONCORD_OIDC_ENABLED": "true", "CONCORD_OIDC_PROVIDER": "acme",
        "CONCORD_OIDC_ROLES": json.dumps({OPERATOR: "operator"}),
    }  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    probe = HttpProbe(f"{url}/_stcore/health")
    try:
        supervisor.start(ServiceSpec("dashboard", "services.dashboard", env=env, probe=probe), timeout=90)
        yield url
    finally:
        supervisor.stop_all()
        with MongoClient[dict[str, object]](mongo_uri) as client:
            client.drop_database(f"oidc_{unique}")


def test_sso_signs_in_with_the_configured_role_and_an_unlisted_identity_is_a_viewer(
    provider: OidcProvider, dashboard_url: str, tmp_path: Path
) -> None:
    with chromium_page(tmp_path / "chromium-profile") as page:
        try:
            _sign_in_with_sso(page, dashboard_url)
            expect(page.get_by_text(f"Signed in as {OPERATOR} (operator)")).to_be_visible()
            assert provider.tokens_issued == 1

            page.get_by_role("button", name="Sign out").click()
            expect(page.get_by_role("button", name="Sign in with SSO")).to_be_visible(
                timeout=RENDER_TIMEOUT_MS
            )
            provider.signs_in = STRANGER
            _sign_in_with_sso(page, dashboard_url)
            expect(page.get_by_text(f"Signed in as {STRANGER} (viewer)")).to_be_visible()
            assert provider.tokens_issued == 2
        finally:
            screenshot(page, "dashboard-oidc.png")


def _sign_in_with_sso(page: Page, url: str) -> None:
    """From the sign-in page through the provider and back (Streamlit's login and callback routes)."""
    page.goto(url)
    page.get_by_role("button", name="Sign in with SSO").click()
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
