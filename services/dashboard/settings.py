"""Settings of the dashboard (env prefix CONCORD_): where it listens, who may sign in, deep links."""

import json
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from shared.adapters.settings import ServiceSettings
from shared.core.dashboard.access import Role
from shared.core.model import System


class DashboardUser(BaseModel):
    """One user who may sign in with a password; ``password_hash`` is an argon2 hash (never the password)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    role: Role
    password_hash: SecretStr


DEFAULT_URL_TEMPLATES: dict[System, str] = {
    System.HUBSPOT: "https://app.hubspot.com/contacts/0/record/{object_type}/{external_id}",
    System.SHOPIFY: "https://admin.shopify.com/store/example/{object_type}/{external_id}",
    System.NETSUITE: "https://example.app.netsuite.com/app/common/entity/{object_type}.nl?id={external_id}",
}


class DashboardSettings(ServiceSettings):
    """Where the Streamlit dashboard listens and how operators sign in.

    Users come from ``dashboard_users`` (``CONCORD_DASHBOARD_USERS`` as JSON) and/or a TOML or JSON
    file at ``dashboard_users_file`` holding ``users = [{name, role, password_hash}]``. With
    ``oidc_enabled`` the sign-in page also offers Streamlit's ``st.login`` (configured in
    ``.streamlit/secrets.toml``); ``oidc_roles`` maps an e-mail to a role, anyone else is a viewer.
    """

    service_name: str = "dashboard"
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = 8501
    dashboard_users: tuple[DashboardUser, ...] = ()
    dashboard_users_file: Path | None = None
    dashboard_secrets_file: Path | None = None
    """Streamlit's secrets TOML (its ``[auth]`` section configures ``st.login``); default: Streamlit's
    own search (``.streamlit/secrets.toml`` in the working directory, then the user's)."""
    oidc_enabled: bool = False
    oidc_provider: str | None = None
    oidc_roles: dict[str, Role] = Field(default_factory=dict)
    url_templates: dict[System, str] = Field(default_factory=lambda: dict(DEFAULT_URL_TEMPLATES))
    """Deep link per platform; ``{object_type}`` and ``{external_id}`` are filled in."""
    inbox_page_size: int = Field(default=50, ge=5, le=500)
    inbox_refresh_seconds: float = Field(default=15.0, gt=0)
    """How old the in-memory inbox may get before a background reload starts."""
    inbox_wait_seconds: float = Field(default=1.0, gt=0)
    """How long a render waits for a server's first inbox load before it says so and looks again (the
    page, navigation included, stays usable meanwhile)."""
    inbox_checkpoint_seconds: float = Field(default=60.0, ge=0)
    """How often at most a scanned inbox is saved for the next server start to render from (0: never)."""
    publish_timeout_seconds: float = Field(default=15.0, gt=0)
    """Longer than the producer's own 10 s delivery timeout, so a timed-out approval was not delivered."""
    policy_file: Path | None = None
    """The ownership policy the syncer plans with (the preview must plan with the same one)."""

    def users(self) -> dict[str, DashboardUser]:
        """Every password user by name (the file's entries win over the environment's)."""
        users = {user.name: user for user in self.dashboard_users}
        if self.dashboard_users_file is not None:
            users.update({user.name: user for user in _users_from_file(self.dashboard_users_file)})
        return users


def _users_from_file(path: Path) -> list[DashboardUser]:
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    return [DashboardUser.model_validate(entry) for entry in data.get("users", [])]


__all__ = ["DEFAULT_URL_TEMPLATES", "DashboardSettings", "DashboardUser"]
