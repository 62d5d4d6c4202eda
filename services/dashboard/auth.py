"""Who is signed in: password users checked against argon2 hashes, or an OIDC identity."""

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.dashboard.settings import DashboardSettings
from shared.core.dashboard.access import Role


@dataclass(frozen=True)
class SignedIn:
    """The user behind this session; ``name`` is what commands record as their approver."""

    name: str
    role: Role
    via: str = "password"


def authenticate(settings: DashboardSettings, name: str, password: str) -> SignedIn | None:
    """The user if ``password`` matches the configured hash of ``name``; ``None`` otherwise."""
    user = settings.users().get(name.strip())
    if user is None or not password:
        return None
    try:
        PasswordHasher().verify(user.password_hash.get_secret_value(), password)
    except (VerificationError, InvalidHashError):
        return None
    return SignedIn(name=user.name, role=user.role)


def oidc_user(settings: DashboardSettings, email: str) -> SignedIn:
    """An identity the OIDC provider vouched for; its role from ``oidc_roles`` (viewer if unlisted)."""
    return SignedIn(name=email, role=settings.oidc_roles.get(email, Role.VIEWER), via="oidc")


def hash_password(password: str) -> str:
    """An argon2 hash to put in the users configuration (``python -m services.dashboard hash``)."""
    return PasswordHasher().hash(password)


__all__ = ["SignedIn", "authenticate", "hash_password", "oidc_user"]
