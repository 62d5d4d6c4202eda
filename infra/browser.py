"""Install the browser the end-to-end dashboard test drives: Debian's ``chromium`` at ``/usr/bin/chromium``.

``python3 infra/browser.py`` (what ``make browser`` and ``.ci/run`` run) does nothing when the binary is
there; otherwise it runs ``apt-get update`` and ``apt-get install -y --no-install-recommends chromium``
(as root, or through ``sudo -n`` when that works). Where apt is unavailable it says so and how to provide
a browser, and exits 2. Playwright's own ``playwright install`` is never used: it downloads browsers from
a CDN these machines cannot reach. Standard library only, so it runs before ``.venv`` exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
APT_INSTALL = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]


def _privileged(command: list[str]) -> list[str] | None:
    """``command`` as root: directly when we are root, via password-less sudo otherwise; None if neither."""
    if os.geteuid() == 0:
        return command
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True, check=False).returncode == 0:
        return [sudo, "-n", *command]
    return None


def _run(command: list[str]) -> None:
    print("+ " + " ".join(command), flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(command, check=True, env=env)


def ensure_chromium() -> int:
    """Make sure ``/usr/bin/chromium`` exists; returns a process exit status (0 = present)."""
    if CHROMIUM.exists():
        print(f"browser: {CHROMIUM} is installed")
        return 0
    if shutil.which("apt-get") is None:
        print(
            f"browser: {CHROMIUM} is missing and apt-get is unavailable on this machine; install Debian's "
            "'chromium' package (or a Chromium at that path) by other means to run the browser test",
            file=sys.stderr,
        )
        return 2
    update, install = _privileged(["apt-get", "update"]), _privileged(APT_INSTALL)
    if update is None or install is None:
        print(
            f"browser: {CHROMIUM} is missing; run as root (or with password-less sudo): "
            f"apt-get update && {' '.join(APT_INSTALL)}",
            file=sys.stderr,
        )
        return 2
    try:
        _run(update)
        _run(install)
    except subprocess.CalledProcessError as error:
        print(f"browser: installing chromium failed ({error})", file=sys.stderr)
        return 1
    if not CHROMIUM.exists():
        print(f"browser: apt installed chromium but {CHROMIUM} is still missing", file=sys.stderr)
        return 1
    print(f"browser: installed {CHROMIUM}")
    return 0


if __name__ == "__main__":
    sys.exit(ensure_chromium())
