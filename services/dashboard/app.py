"""The Streamlit script. Streamlit re-runs this file on every interaction.

Sessions share one :class:`Runtime` per server process (``st.cache_resource``). A test may put a
``Runtime`` built on fakes in ``st.session_state["concord.runtime"]`` before the first run.
Deep links: ``?entity=<entity id>`` opens the entity view.
"""

import hashlib

import streamlit as st

from services.dashboard.runtime import Runtime, build_runtime
from services.dashboard.settings import DashboardSettings
from services.dashboard.views.entity import render_entity
from services.dashboard.views.health import render_health
from services.dashboard.views.inbox import ENTITY_KEY, GOTO_KEY, NAV_KEY, render_inbox
from services.dashboard.views.signin import render_sign_in, render_user_box, signed_in_user

RUNTIME_KEY = "concord.runtime"
PAGES = ("Inbox", "Entity", "Health")


def _settings_key(settings: DashboardSettings) -> str:
    # model_dump_json masks secrets, so the Mongo URI is added to tell deployments apart.
    return hashlib.sha256(
        (settings.model_dump_json() + settings.mongodb_uri.get_secret_value()).encode()
    ).hexdigest()


@st.cache_resource(
    show_spinner="Connecting to MongoDB and Kafka…", hash_funcs={DashboardSettings: _settings_key}
)
def _shared_runtime(settings: DashboardSettings) -> Runtime:
    runtime = build_runtime(settings)
    runtime.inbox.warm()  # the scan runs while the operator signs in
    return runtime


def runtime_for(settings: DashboardSettings) -> Runtime:
    """The session's runtime: one handed in by a test, else the server process's shared one."""
    runtime = st.session_state.get(RUNTIME_KEY)
    if not isinstance(runtime, Runtime):
        runtime = _shared_runtime(settings)
        st.session_state[RUNTIME_KEY] = runtime
    return runtime


def _deep_link() -> None:
    if GOTO_KEY in st.session_state:
        st.session_state[NAV_KEY] = st.session_state.pop(GOTO_KEY)
    entity = st.query_params.get("entity")
    if entity and st.session_state.get("concord.deep_linked") != entity:
        st.session_state["concord.deep_linked"] = entity
        st.session_state[ENTITY_KEY] = entity
        st.session_state[NAV_KEY] = "Entity"


def render(settings: DashboardSettings) -> None:
    """Sign-in gate, navigation, and the chosen page."""
    st.set_page_config(page_title="Concord", layout="wide")
    user = signed_in_user(settings)
    if user is None:
        render_sign_in(settings)
        return
    _deep_link()
    runtime = runtime_for(settings)
    render_user_box(user)
    page = st.sidebar.radio("Page", PAGES, key=NAV_KEY)
    if page == "Entity":
        render_entity(runtime, settings, user)
    elif page == "Health":
        render_health(runtime)
    else:
        render_inbox(runtime, settings, user)


render(DashboardSettings())
