"""`python -m services.dashboard`: run the Streamlit server on the configured address.

`python -m services.dashboard hash` reads a password from stdin and prints its argon2 hash, for the
users configuration.
"""

import sys
from pathlib import Path

from streamlit.web import cli as streamlit_cli

from services.dashboard.auth import hash_password
from services.dashboard.settings import DashboardSettings


def main() -> None:
    if sys.argv[1:] == ["hash"]:
        print(hash_password(sys.stdin.readline().rstrip("\n")))
        return
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
    if settings.dashboard_secrets_file is not None:
        sys.argv.append(f"--secrets.files={settings.dashboard_secrets_file}")
    sys.exit(streamlit_cli.main())


if __name__ == "__main__":
    main()
