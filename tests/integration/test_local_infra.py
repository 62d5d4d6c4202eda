"""`infra/local_infra.py` (behind `make infra-up` / `make infra-down`): idempotent, leaves nothing behind."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "infra" / "local_infra.py"


def run_infra(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), command],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def processes_mentioning(marker: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in text:
            found.append(text)
    return found


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """A second, private instance: its own run directory and ports, sharing the download cache."""
    return {
        **os.environ,
        "CONCORD_LOCAL_RUN_DIR": str(tmp_path / "run"),
        "CONCORD_LOCAL_KAFKA_PORT": "29092",
        "CONCORD_LOCAL_KAFKA_CONTROLLER_PORT": "29093",
        "CONCORD_LOCAL_MONGO_PORT": "29017",
    }


def test_up_twice_then_down_leaves_no_server_process(isolated_env: dict[str, str], tmp_path: Path) -> None:
    first = run_infra("up", isolated_env)
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_infra("up", isolated_env)
    assert second.returncode == 0, second.stdout + second.stderr
    env_file = (tmp_path / "run" / "infra.env").read_text()
    assert "CONCORD_KAFKA_BOOTSTRAP=127.0.0.1:29092" in env_file
    assert "CONCORD_MONGODB_URI=mongodb://127.0.0.1:29017/" in env_file
    assert len(processes_mentioning(str(tmp_path / "run"))) == 2  # one JVM, one FerretDB

    down = run_infra("down", isolated_env)

    assert down.returncode == 0, down.stdout + down.stderr
    assert processes_mentioning(str(tmp_path / "run")) == []
    assert not (tmp_path / "run" / "infra.env").exists()


def test_a_missing_tool_is_named_with_what_to_install(isolated_env: dict[str, str]) -> None:
    result = run_infra("up", isolated_env | {"PATH": "/nonexistent"})
    assert result.returncode == 2
    assert "`java` is not installed" in result.stderr
    assert "Java 17" in result.stderr
