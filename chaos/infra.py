"""The chaos run's own Kafka and FerretDB: ``infra/local_infra.py`` with its own run dir and free ports.

Restarting the broker or the database server would disturb everyone else on the shared ones, so a chaos
run always starts its own pair, restarts only those, and stops them at the end. ``local_infra`` reads its
run dir and ports from the environment at import time, so every operation runs it in a child process
with that environment (as ``tests/support/private_kafka.py`` does).
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from infra.processes import REPO

_SCRIPT = """
import sys
sys.path.insert(0, {infra!r})
import local_infra as infra
ports = infra.Ports.from_env()
infra.RUN.mkdir(parents=True, exist_ok=True)
{body}
"""
_START_KAFKA = 'infra.start_kafka(ports); infra.wait_kafka(f"127.0.0.1:{ports.kafka}")'
_START_MONGO = 'infra.start_ferretdb(ports); infra.wait_mongo(f"mongodb://127.0.0.1:{ports.mongo}/")'
_STOP = 'infra.stop_process("{name}", timeout_s={timeout})'
_KILL = """
import os, signal
pid = infra.pid_alive(infra.RUN / "{name}.pid")
if pid:
    os.kill(pid, signal.SIGKILL)
    infra.stop_process("{name}")
"""
# A killed multi-threaded server shows as a zombie before its last thread closed its sockets: wait for the
# port itself before starting again, or the start refuses a port "in use by another process".
_PORT_CLOSED = """
import time
deadline = time.monotonic() + 60
while infra.port_open(ports.{port}) and time.monotonic() < deadline:
    time.sleep(0.2)
"""


def listening_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports below the kernel's ephemeral range.

    A server that restarts must not sit in the ephemeral range: while it is down, its clients' reconnects
    to ``127.0.0.1:port`` can pick that same port as their source and connect to themselves (TCP
    simultaneous open), and then hold the port the restarted server needs.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    picker = random.SystemRandom()
    ports: list[int] = []
    while len(ports) < count:
        port = picker.randrange(20_000, min(low, 32_768))
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in ports:
            ports.append(port)
    return ports


class InfraCommandFailed(RuntimeError):
    """A local_infra operation failed; the message carries its output."""


@dataclass(frozen=True)
class OwnInfra:
    """A Kafka broker and a FerretDB server on free loopback ports, state under ``run_dir``."""

    run_dir: Path
    kafka_port: int
    controller_port: int
    mongo_port: int

    @classmethod
    def fresh(cls, run_dir: Path) -> OwnInfra:
        """Free ports and an empty ``run_dir`` (refused when it is the shared ``.run``)."""
        if run_dir.resolve() == (REPO / ".run").resolve():
            raise ValueError("chaos needs its own run dir, never the shared .run")
        infra = cls(run_dir, *listening_ports(3))
        infra.stop()  # a previous run's servers, if a crash left them behind
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        return infra

    @property
    def kafka(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongo_uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/"

    def start(self) -> None:
        """Start both servers and wait until each answers."""
        self._run(f"{_START_KAFKA}\n{_START_MONGO}")

    def restart_kafka(self) -> None:
        """Controlled shutdown of the broker (SIGTERM), then start it again on the same data."""
        stop = _STOP.format(name="kafka", timeout=60)
        self._run(f"{stop}\n{_PORT_CLOSED.format(port='kafka')}\n{_START_KAFKA}")

    def restart_mongo(self, *, hard: bool = True) -> None:
        """Stop FerretDB (SIGKILL when ``hard``), then start it again on the same data."""
        stop = _KILL.format(name="ferretdb") if hard else _STOP.format(name="ferretdb", timeout=30)
        self._run(f"{stop}\n{_PORT_CLOSED.format(port='mongo')}\n{_START_MONGO}")

    def stop(self) -> None:
        """Stop both servers of this run dir (only those: the pid files live in ``run_dir``)."""
        if self.run_dir.exists():
            self._run(
                f"{_STOP.format(name='kafka', timeout=60)}\n{_STOP.format(name='ferretdb', timeout=30)}"
            )

    def _run(self, body: str) -> None:
        env = {
            **os.environ.copy(),  # noqa: TID251 - the child is a script configured by environment, as in infra/
            "CONCORD_LOCAL_RUN_DIR": str(self.run_dir),
            "CONCORD_LOCAL_KAFKA_PORT": str(self.kafka_port),
            "CONCORD_LOCAL_KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "CONCORD_LOCAL_MONGO_PORT": str(self.mongo_port),
        }
        code = _SCRIPT.format(infra=str(REPO / "infra"), body=body)
        result = subprocess.run(  # noqa: S603 - this interpreter running our own script
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, check=False
        )
        if result.returncode != 0:
            raise InfraCommandFailed(f"local_infra failed:\n{result.stdout}{result.stderr}{self._sockets()}")

    def _sockets(self) -> str:
        """Who holds this run's ports (``ss``), to explain a port found busy."""
        ports = {self.kafka_port, self.controller_port, self.mongo_port}
        ss = ["ss", "-tanp"]  # a system tool, found on PATH
        listing = subprocess.run(ss, capture_output=True, text=True, check=False).stdout  # noqa: S603
        lines = [line for line in listing.splitlines() if any(f":{port} " in line for port in ports)]
        return "sockets on this run's ports:\n" + "\n".join(lines[:40])
