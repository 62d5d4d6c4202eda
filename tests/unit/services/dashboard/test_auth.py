import json
from pathlib import Path

from argon2 import PasswordHasher

from services.dashboard.auth import authenticate, hash_password, oidc_user
from services.dashboard.settings import DashboardSettings
from shared.core.dashboard.access import Role


def _settings(**values: object) -> DashboardSettings:
    return DashboardSettings.model_validate(values)


def test_a_user_signs_in_only_with_the_password_matching_the_configured_hash() -> None:
    settings = _settings(
        dashboard_users=[{"name": "olivia", "role": "operator", "password_hash": hash_password("s3cret")}]
    )
    user = authenticate(settings, "olivia", "s3cret")
    assert user is not None and (user.name, user.role) == ("olivia", Role.OPERATOR)
    assert authenticate(settings, "olivia", "wrong") is None
    assert authenticate(settings, "nobody", "s3cret") is None
    assert authenticate(settings, "olivia", "") is None


def test_users_come_from_a_toml_or_json_file_too(tmp_path: Path) -> None:
    digest = PasswordHasher().hash("pw")
    toml = tmp_path / "users.toml"
    toml.write_text(
        f'[[users]]\nname = "ann"\nrole = "admin"\npassword_hash = "{digest}"\n', encoding="utf-8"
    )
    as_json = tmp_path / "users.json"
    as_json.write_text(
        json.dumps({"users": [{"name": "vic", "role": "viewer", "password_hash": digest}]}), encoding="utf-8"
    )
    assert authenticate(_settings(dashboard_users_file=toml), "ann", "pw").role is Role.ADMIN  # type: ignore[union-attr]
    assert authenticate(_settings(dashboard_users_file=as_json), "vic", "pw").role is Role.VIEWER  # type: ignore[union-attr]


def test_a_broken_hash_refuses_instead_of_crashing() -> None:
    settings = _settings(dashboard_users=[{"name": "x", "role": "admin", "password_hash": "not-a-hash"}])
    assert authenticate(settings, "x", "anything") is None


def test_an_oidc_identity_not_listed_is_a_viewer() -> None:
    settings = _settings(oidc_enabled=True, oidc_roles={"boss@acme.example": "admin"})
    assert oidc_user(settings, "boss@acme.example").role is Role.ADMIN
    assert oidc_user(settings, "someone@acme.example").role is Role.VIEWER
