"""A small supervisor for Concord's services as bare processes (no Docker): the demo, chaos and scaling
tests start, kill and restart services through it.

API (everything a caller needs):

    spec = ServiceSpec(name="checker-1", module="services.checker", env={...}, probe=LogProbe("checker_started"))
    sup = Supervisor(run_dir)               # state lives in run_dir: <name>.pid, <name>.service.json, logs/<name>.log
    sup.start(spec, timeout=60.0) -> int    # `python -m <module>` in its own session, env = os.environ | spec.env;
                                            # waits for readiness (timeout=None: do not wait); returns the pid
    sup.wait_ready(name, timeout)           # raises ProcessFailed if it exits first or is not ready in time
    sup.kill(name)                          # SIGKILL to its process group; returns once it is gone
    sup.terminate(name, timeout=15.0)       # SIGTERM, SIGKILL after ``timeout``
    sup.restart(name, timeout=60.0, hard=False)  # terminate (hard: kill) if running, start the same spec again
    sup.stop_all(timeout=15.0) -> list[str] # SIGTERM every service of this run dir at once, then SIGKILL stragglers
    sup.status() -> list[ProcessStatus]     # name, module, pid (None when stopped), log path, for every known service
    sup.pid(name) -> int | None             # the live pid, or None
Readiness probes: HttpProbe(url) (GET answers 2xx), LogProbe(marker) (the marker appears in the log after the
start), PortProbe(port) (a TCP connect succeeds); HttpProbe(url).wait(timeout) waits for a server started
elsewhere. free_port() gives an unused loopback port.

Any process (``make down``, a chaos run) can stop or restart what another started: the spec (module, env, probe)
is saved beside the pid file. The names ``kafka`` and ``ferretdb`` are refused: infra/local_infra.py keeps its
pid files in the same run dir. Stopping only ever signals pids recorded here whose command line still runs the
recorded module, so a recycled pid is never signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESERVED_NAMES = frozenset({"kafka", "ferretdb"})
_POLL_SECONDS = 0.2


class ProcessFailed(RuntimeError):
    """A service exited during start-up or did not become ready in time (the message names its log)."""


@dataclass(frozen=True)
class HttpProbe:
    """Ready when a GET of ``url`` answers 2xx."""

    url: str

    def wait(self, timeout: float) -> None:
        """Block until ready (for a server this module did not start); raise ProcessFailed after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not self.ready(Path(), 0):
            if time.monotonic() > deadline:
                raise ProcessFailed(f"{self.url} did not answer 2xx within {timeout:.0f}s")
            time.sleep(_POLL_SECONDS * 5)

    def ready(self, _log: Path, _offset: int) -> bool:
        try:
            with urllib.request.urlopen(self.url, timeout=2.0) as response:  # noqa: S310 - loopback URL we built
                return 200 <= int(response.status) < 300
        except (urllib.error.URLError, OSError, ValueError):
            return False


@dataclass(frozen=True)
class LogProbe:
    """Ready when ``marker`` appears in the service's log after the byte offset the start recorded."""

    marker: str

    def ready(self, log: Path, offset: int) -> bool:
        try:
            with log.open("rb") as stream:
                stream.seek(offset)
                return self.marker.encode() in stream.read()
        except FileNotFoundError:
            return False


@dataclass(frozen=True)
class PortProbe:
    """Ready when a TCP connect to ``127.0.0.1:port`` succeeds (e.g. a metrics port opened after start-up)."""

    port: int

    def ready(self, _log: Path, _offset: int) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0


Probe = HttpProbe | LogProbe | PortProbe
_PROBES: dict[str, type[HttpProbe] | type[LogProbe] | type[PortProbe]] = {
    "http": HttpProbe,
    "log": LogProbe,
    "port": PortProbe,
}


@dataclass(frozen=True)
class ServiceSpec:
    """One service instance: a unique ``name``, the module run with ``python -m``, its environment (over
    ``os.environ``), how to tell it is ready, and the interpreter (default: this one)."""

    name: str
    module: str
    env: dict[str, str] = field(default_factory=dict)
    probe: Probe | None = None
    python: str = sys.executable

    def to_json(self) -> dict[str, object]:
        probe = None
        if self.probe is not None:
            kind = next(key for key, cls in _PROBES.items() if isinstance(self.probe, cls))
            probe = {"kind": kind, **asdict(self.probe)}
        return {
            "name": self.name,
            "module": self.module,
            "env": self.env,
            "probe": probe,
            "python": self.python,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ServiceSpec:
        raw_probe = data.get("probe")
        probe: Probe | None = None
        if isinstance(raw_probe, dict):
            values = {key: value for key, value in raw_probe.items() if key != "kind"}
            probe = _PROBES[str(raw_probe["kind"])](**values)
        env = data.get("env")
        return cls(
            name=str(data["name"]),
            module=str(data["module"]),
            env={str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {},
            probe=probe,
            python=str(data.get("python") or sys.executable),
        )


@dataclass(frozen=True)
class ProcessStatus:
    """What ``status()`` reports for one known service."""

    name: str
    module: str
    pid: int | None
    log: Path

    @property
    def running(self) -> bool:
        return self.pid is not None


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Supervisor:
    """Starts, signals and restarts services whose state lives in ``run_dir`` (see the module docstring)."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.logs = run_dir / "logs"
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    # -- paths and saved state ----------------------------------------------------------------------

    def log_path(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def _pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def _spec_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.service.json"

    def names(self) -> list[str]:
        """Every service this run dir has a saved spec for, sorted."""
        return sorted(path.name.removesuffix(".service.json") for path in self.run_dir.glob("*.service.json"))

    def spec(self, name: str) -> ServiceSpec:
        data = json.loads(self._spec_file(name).read_text())
        return ServiceSpec.from_json(data["spec"])

    def _log_offset(self, name: str) -> int:
        return int(json.loads(self._spec_file(name).read_text()).get("log_offset", 0))

    # -- queries ------------------------------------------------------------------------------------

    def pid(self, name: str) -> int | None:
        """The pid of ``name`` if that process still runs the recorded module, else None."""
        pid_file = self._pid_file(name)
        if not pid_file.exists() or not self._spec_file(name).exists():
            return None
        pid = int(pid_file.read_text().strip() or 0)
        return pid if pid and self._alive(pid, self.spec(name).module) else None

    def status(self) -> list[ProcessStatus]:
        return [
            ProcessStatus(
                name=name, module=self.spec(name).module, pid=self.pid(name), log=self.log_path(name)
            )
            for name in self.names()
        ]

    def _alive(self, pid: int, module: str) -> bool:
        child = self._children.get(pid)
        if child is not None:
            # Our own child: its exit status says. Its cmdline cannot: between fork and exec it is
            # still this interpreter's, which once made a starting sandbox look "exited" with an
            # empty log while it ran.
            return child.poll() is None
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            return False
        state = stat.rsplit(")", 1)[-1].split()[0]
        return state not in {"Z", "X"} and module.encode() in cmdline

    # -- start and readiness ------------------------------------------------------------------------

    def start(self, spec: ServiceSpec, *, timeout: float | None = 60.0) -> int:
        """Start ``spec`` (refused when its name is reserved or already running) and wait for readiness."""
        if spec.name in RESERVED_NAMES or "/" in spec.name:
            raise ValueError(f"{spec.name!r} cannot name a service")
        if (running := self.pid(spec.name)) is not None:
            raise ProcessFailed(f"{spec.name} already runs as pid {running}")
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.log_path(spec.name)
        offset = log.stat().st_size if log.exists() else 0
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **spec.env}
        with log.open("ab") as output:
            child = subprocess.Popen(
                [spec.python, "-m", spec.module], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self._children[child.pid] = child
        state = {"spec": spec.to_json(), "log_offset": offset}
        spec_file = self._spec_file(spec.name)
        spec_file.write_text(json.dumps(state, indent=2))
        spec_file.chmod(0o600)  # the env can hold (demo) secrets
        self._pid_file(spec.name).write_text(str(child.pid))
        if timeout is not None:
            self.wait_ready(spec.name, timeout)
        return child.pid

    def wait_ready(self, name: str, timeout: float = 60.0) -> None:
        """Return once ``name``'s probe passes (at once without a probe); raise ProcessFailed otherwise."""
        spec = self.spec(name)
        offset = self._log_offset(name)
        deadline = time.monotonic() + timeout
        while True:
            if self.pid(name) is None:
                raise ProcessFailed(f"{name} exited during start-up{self._exit_detail(name, offset)}")
            if spec.probe is None or spec.probe.ready(self.log_path(name), offset):
                return
            if time.monotonic() > deadline:
                raise ProcessFailed(f"{name} not ready after {timeout:.0f}s; see {self.log_path(name)}")
            time.sleep(_POLL_SECONDS)

    def _exit_detail(self, name: str, offset: int) -> str:
        """How ``name`` ended (exit status when this supervisor started it) and its log's last lines."""
        pid = int(self._pid_file(name).read_text().strip() or 0)
        child = self._children.get(pid)
        status = "" if child is None or child.poll() is None else f" with status {child.returncode}"
        with contextlib.suppress(FileNotFoundError), self.log_path(name).open("rb") as stream:
            stream.seek(offset)
            tail = stream.read().decode(errors="replace").splitlines()[-20:]
            return f"{status}; {self.log_path(name)} ends:\n" + "\n".join(tail or ["(empty)"])
        return f"{status}; no log at {self.log_path(name)}"

    # -- signals --------------------------------------------------------------------------------------

    def kill(self, name: str) -> bool:
        """SIGKILL ``name``'s process group and wait until it is gone; False when it was not running."""
        pid = self.pid(name)
        if pid is None:
            return False
        self._signal(pid, signal.SIGKILL)
        self._wait_gone(name, pid, 10.0)
        return True

    def terminate(self, name: str, timeout: float = 15.0) -> bool:
        """SIGTERM, then SIGKILL after ``timeout``; False when it was not running."""
        pid = self.pid(name)
        if pid is None:
            return False
        self._signal(pid, signal.SIGTERM)
        if not self._wait_gone(name, pid, timeout):
            self._signal(pid, signal.SIGKILL)
            self._wait_gone(name, pid, 10.0)
        return True

    def restart(self, name: str, *, timeout: float | None = 60.0, hard: bool = False) -> int:
        """Stop ``name`` if it runs (SIGKILL when ``hard``, else SIGTERM) and start its saved spec again."""
        spec = self.spec(name)
        if hard:
            self.kill(name)
        else:
            self.terminate(name)
        return self.start(spec, timeout=timeout)

    def stop_all(self, timeout: float = 15.0) -> list[str]:
        """SIGTERM every running service of this run dir at once, SIGKILL what outlives ``timeout``.

        Returns the names that were running. Pid and spec files are removed: the run dir forgets them.
        """
        running = {name: pid for name in self.names() if (pid := self.pid(name)) is not None}
        for pid in running.values():
            self._signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name, pid in running.items():
            if not self._wait_gone(name, pid, max(0.0, deadline - time.monotonic())):
                self._signal(pid, signal.SIGKILL)
                self._wait_gone(name, pid, 10.0)
        for name in self.names():
            self._pid_file(name).unlink(missing_ok=True)
            self._spec_file(name).unlink(missing_ok=True)
        return sorted(running)

    def _signal(self, pid: int, signum: signal.Signals) -> None:
        # Each service leads its own session (start_new_session), so its group id is its pid.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signum)

    def _wait_gone(self, name: str, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.pid(name) == pid:
            child = self._children.get(pid)
            if child is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=_POLL_SECONDS)
            else:
                time.sleep(_POLL_SECONDS)
            if time.monotonic() > deadline:
                return False
        self._children.pop(pid, None)
        self._pid_file(name).unlink(missing_ok=True)
        return True
