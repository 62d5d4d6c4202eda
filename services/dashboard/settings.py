"""Settings of the dashboard (env prefix CONCORD_)."""

from shared.adapters.settings import ServiceSettings


class DashboardSettings(ServiceSettings):
    """Where the Streamlit dashboard listens."""

    service_name: str = "dashboard"
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = 8501
