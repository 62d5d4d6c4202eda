"""Sign-in: username and password against argon2 hashes, or the OIDC provider via ``st.login``.

Stable labels and keys (the browser test relies on them): "Username" (``signin_username``),
"Password" (``signin_password``), "Sign in" (``signin_submit``), "Sign in with SSO" (``signin_sso``),
"Sign out" (``signout``).
"""

import streamlit as st

from services.dashboard.auth import SignedIn, authenticate, oidc_user
from services.dashboard.settings import DashboardSettings

USER_KEY = "concord.user"


def signed_in_user(settings: DashboardSettings) -> SignedIn | None:
    """The session's user: one who signed in with a password, or an OIDC identity."""
    user = st.session_state.get(USER_KEY)
    if isinstance(user, SignedIn):
        return user
    if settings.oidc_enabled and st.user.is_logged_in and isinstance(st.user.get("email"), str):
        return oidc_user(settings, str(st.user.get("email")))
    return None


def render_sign_in(settings: DashboardSettings) -> None:
    """The sign-in form; on success the user is kept in the session and the app re-runs."""
    st.title("Concord")
    st.subheader("Sign in")
    with st.form("signin"):
        name = st.text_input("Username", key="signin_username")
        password = st.text_input("Password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in", key="signin_submit")
    if submitted:
        user = authenticate(settings, name, password)
        if user is None:
            st.error("Unknown user or wrong password.")
        else:
            st.session_state[USER_KEY] = user
            st.rerun()
    if settings.oidc_enabled and st.button("Sign in with SSO", key="signin_sso"):
        if settings.oidc_provider:
            st.login(settings.oidc_provider)
        else:
            st.login()


def render_user_box(user: SignedIn) -> None:
    """Who is signed in, with what role, and the sign-out button (sidebar)."""
    st.sidebar.markdown(f"Signed in as **{user.name}** ({user.role.value})")
    if st.sidebar.button("Sign out", key="signout"):
        st.session_state.pop(USER_KEY, None)
        if user.via == "oidc":
            # st.logout() queues the browser's redirect through Streamlit's logout route (which clears
            # the identity cookie); a rerun now would drop that message, so the run just stops.
            st.logout()
            st.stop()
        st.rerun()


__all__ = ["USER_KEY", "render_sign_in", "render_user_box", "signed_in_user"]
