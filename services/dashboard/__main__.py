"""`python -m services.dashboard`: run the Streamlit server on the configured address."""

import sys
from pathlib import Path

from streamlit.web import cli as streamlit_cli

from services.dashboard.settings import DashboardSettings


def main() -> None:
    settings = DashboardSettings()
    script = Path(__file__).with_name("app.py")
    sys.argv = [
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        f"--server.address={settings.dashboard_host}",
        f"--server.port={settings.dashboard_port}",
        "--browser.gatherUsageStats=false",
    ]
    sys.exit(streamlit_cli.main())


if __name__ == "__main__":
    main()
