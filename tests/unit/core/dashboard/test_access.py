import pytest

from shared.core.dashboard.access import AccessDenied, Permission, Role, allows, require


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (Role.VIEWER, Permission.VIEW, True),
        (Role.VIEWER, Permission.APPROVE, False),
        (Role.VIEWER, Permission.EDIT_METADATA, False),
        (Role.OPERATOR, Permission.APPROVE, True),
        (Role.OPERATOR, Permission.EDIT_POLICY, False),
        (Role.ADMIN, Permission.EDIT_POLICY, True),
    ],
)
def test_each_role_grants_exactly_its_permissions(role: Role, permission: Permission, allowed: bool) -> None:
    assert allows(role, permission) is allowed


def test_require_names_the_user_and_what_was_refused() -> None:
    with pytest.raises(AccessDenied, match=r"victor \(viewer\) may not approve"):
        require("victor", Role.VIEWER, Permission.APPROVE)
    require("olivia", Role.OPERATOR, Permission.APPROVE)
