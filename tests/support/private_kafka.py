"""A private Apache Kafka broker (infra/local_infra.py, own run directory and ports) that a test may stop
and start again, for outage tests. Never touches the shared broker the other tests use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.sandbox import free_port

REPO = Path(__file__).resolve().parents[2]

_START = """
import sys
sys.path.insert(0, {infra!r})
import local_infra as infra
ports = infra.Ports.from_env()
infra.RUN.mkdir(parents=True, exist_ok=True)
infra.start_kafka(ports)
infra.wait_kafka(f"127.0.0.1:{{ports.kafka}}")
"""
_STOP = """
import sys
sys.path.insert(0, {infra!r})
import local_infra as infra
infra.stop_process("kafka")
"""


class PrivateKafka:
    """One KRaft broker on free ports under ``run_dir``; its data survives a stop, as a real restart's would."""

    def __init__(self, run_dir: Path) -> None:
        self.port = free_port()
        self._env = {
            **os.environ,
            "CONCORD_LOCAL_RUN_DIR": str(run_dir),
            "CONCORD_LOCAL_KAFKA_PORT": str(self.port),
            "CONCORD_LOCAL_KAFKA_CONTROLLER_PORT": str(free_port()),
        }

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the broker and wait until it answers metadata requests."""
        self._run(_START)

    def stop(self) -> None:
        """SIGTERM (controlled shutdown), SIGKILL after a deadline; returns once the process is gone."""
        self._run(_STOP)

    def _run(self, script: str) -> None:
        code = script.format(infra=str(REPO / "infra"))
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=self._env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"private Kafka command failed:\n{result.stdout}{result.stderr}")
