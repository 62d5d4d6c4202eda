"""The Streamlit script. Streamlit re-runs this file on every interaction."""

import streamlit as st

from services.dashboard.settings import DashboardSettings


def render(settings: DashboardSettings) -> None:
    """Render the dashboard; the operator pages arrive with the dashboard issue."""
    st.set_page_config(page_title="Concord", layout="wide")
    st.title("Concord")
    st.caption(f"Reading MongoDB database `{settings.mongodb_database}`")


render(DashboardSettings())
