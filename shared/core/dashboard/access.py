"""Roles and what each may do; the publishing code asks :func:`require` before anything leaves."""

from enum import StrEnum

from shared.core.errors import ConcordError


class Role(StrEnum):
    """A dashboard user's role; each role may do everything the roles before it may."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"


class Permission(StrEnum):
    """Something a user may be allowed to do."""

    VIEW = "view"
    APPROVE = "approve"
    """Publish a sync command, a re-check request, a priority change; ignore, snooze, assign, comment."""
    EDIT_METADATA = "edit_metadata"
    EDIT_POLICY = "edit_policy"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.OPERATOR: frozenset({Permission.VIEW, Permission.APPROVE, Permission.EDIT_METADATA}),
    Role.ADMIN: frozenset(Permission),
}


class AccessDenied(ConcordError):
    """The signed-in user's role does not allow what was attempted."""


def allows(role: Role, permission: Permission) -> bool:
    """Whether ``role`` grants ``permission``."""
    return permission in _GRANTS[role]


def require(user: str, role: Role, permission: Permission) -> None:
    """Return if ``role`` grants ``permission``; raise :class:`AccessDenied` naming the user otherwise."""
    if not allows(role, permission):
        raise AccessDenied(f"{user} ({role}) may not {permission.value.replace('_', ' ')}")


__all__ = ["AccessDenied", "Permission", "Role", "allows", "require"]
