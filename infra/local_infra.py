"""Run a real Apache Kafka broker and FerretDB on loopback, without Docker.

    python infra/local_infra.py up | down | status

`up` resolves the Kafka jars with Maven (from infra/kafka/pom.xml) and builds FerretDB with
`go install` the first time, caching both under ``$XDG_CACHE_HOME/concord`` (default
``~/.cache/concord``), outside the clone, so fresh clones reuse them. It then starts whatever is not
already running, waits until Kafka answers a metadata request and FerretDB answers ``ping``, and
writes the endpoints to ``.run/infra.env``. Running `up` twice is harmless. `down` stops both
(SIGTERM, then SIGKILL after a deadline) and leaves no process behind.

Runtime state (pid files, logs, data) lives in ``.run/`` inside the clone (or
``$CONCORD_LOCAL_RUN_DIR``). Ports: ``CONCORD_LOCAL_KAFKA_PORT`` (19092),
``CONCORD_LOCAL_KAFKA_CONTROLLER_PORT`` (19093), ``CONCORD_LOCAL_MONGO_PORT`` (27018).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUN = Path(os.environ.get("CONCORD_LOCAL_RUN_DIR") or REPO / ".run")
ENV_FILE = RUN / "infra.env"
LOGS = RUN / "logs"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "concord"
FERRETDB_VERSION = "v1.24.2"
READY_TIMEOUT_S = 120.0


class InfraError(RuntimeError):
    """A clear, actionable failure (missing tool, busy port, server that never became ready)."""


@dataclass(frozen=True)
class Ports:
    kafka: int
    kafka_controller: int
    mongo: int

    @classmethod
    def from_env(cls) -> Ports:
        return cls(
            kafka=int(os.environ.get("CONCORD_LOCAL_KAFKA_PORT", "19092")),
            kafka_controller=int(os.environ.get("CONCORD_LOCAL_KAFKA_CONTROLLER_PORT", "19093")),
            mongo=int(os.environ.get("CONCORD_LOCAL_MONGO_PORT", "27018")),
        )


def require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise InfraError(f"`{name}` is not installed or not on PATH: {hint}")
    return path


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file`` if that process still runs, else None (stale files removed)."""
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().strip() or 0)
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        pid_file.unlink(missing_ok=True)
        return None
    if Path(f"/proc/{pid}/stat").exists() and " Z " in Path(f"/proc/{pid}/stat").read_text():
        pid_file.unlink(missing_ok=True)
        return None
    return pid


def start_process(name: str, argv: list[str], *, env: dict[str, str] | None = None) -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / f"{name}.log").open("ab")
    proc = subprocess.Popen(
        argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=env
    )
    (RUN / f"{name}.pid").write_text(str(proc.pid))


def stop_process(name: str, timeout_s: float = 30.0) -> bool:
    pid_file = RUN / f"{name}.pid"
    pid = pid_alive(pid_file)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and pid_alive(pid_file) is not None:
        _reap(pid)
        time.sleep(0.2)
    if pid_alive(pid_file) is not None:
        os.kill(pid, signal.SIGKILL)
        _reap(pid)
    pid_file.unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def check_port_free(port: int, service: str, variable: str) -> None:
    if port_open(port):
        raise InfraError(
            f"port {port} is already in use by a process this script did not start; stop it, "
            f"or pick another port for {service} with {variable}=<port>"
        )


# ---------------------------------------------------------------- Kafka


def kafka_version() -> str:
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", (REPO / "infra/kafka/pom.xml").read_text())
    if match is None:
        raise InfraError("infra/kafka/pom.xml does not declare <kafka.version>")
    return match.group(1)


def kafka_libs() -> Path:
    libs = CACHE / f"kafka-{kafka_version()}" / "libs"
    if (libs / ".complete").exists():
        return libs
    mvn = require_tool("mvn", "install Apache Maven (Debian: apt-get install maven)")
    print(f"resolving Kafka {kafka_version()} jars from Maven Central into {libs} ...", flush=True)
    subprocess.run(
        [
            mvn,
            "-B",
            "-q",
            "-f",
            str(REPO / "infra/kafka/pom.xml"),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={libs}",
        ],
        check=True,
    )
    (libs / ".complete").write_text("ok\n")
    return libs


def start_kafka(ports: Ports) -> None:
    java = require_tool(
        "java", "install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)"
    )
    check_port_free(ports.kafka, "Kafka", "CONCORD_LOCAL_KAFKA_PORT")
    check_port_free(ports.kafka_controller, "the Kafka controller", "CONCORD_LOCAL_KAFKA_CONTROLLER_PORT")
    libs = kafka_libs()
    data = RUN / "kafka" / "data"
    data.mkdir(parents=True, exist_ok=True)
    config = RUN / "kafka" / "server.properties"
    template = (REPO / "infra/kafka/server.properties").read_text()
    config.write_text(
        template.format(port=ports.kafka, controller_port=ports.kafka_controller, data_dir=data)
    )
    classpath = f"{libs}/*"
    jvm = [
        java,
        "-Xms256m",
        "-Xmx768m",
        "-server",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={REPO / 'infra/kafka/log4j2.properties'}",
        f"-Dkafka.logs.dir={LOGS}",
        "-cp",
        classpath,
    ]
    if not (data / "meta.properties").exists():
        cluster_id = (
            subprocess.run(
                [*jvm, "kafka.tools.StorageTool", "random-uuid"], check=True, capture_output=True, text=True
            ).stdout.strip()
            or uuid.uuid4().hex
        )
        subprocess.run(
            [
                *jvm,
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "--ignore-formatted",
                "-t",
                cluster_id,
                "-c",
                str(config),
            ],
            check=True,
            capture_output=True,
        )
    start_process("kafka", [*jvm, "kafka.Kafka", str(config)])


async def _kafka_ready(bootstrap: str) -> None:
    from aiokafka.admin import AIOKafkaAdminClient  # noqa: PLC0415 - only needed for readiness

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # refused connects are expected while starting
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        await admin.describe_cluster()
    finally:
        await admin.close()


def wait_kafka(bootstrap: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if pid_alive(RUN / "kafka.pid") is None:
            raise InfraError(f"Kafka exited during start-up; see {LOGS / 'kafka.log'}")
        try:
            asyncio.run(_kafka_ready(bootstrap))
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise InfraError(f"Kafka not ready after {READY_TIMEOUT_S:.0f}s ({exc}); see {LOGS}") from exc
            time.sleep(0.5)


# ---------------------------------------------------------------- FerretDB


def ferretdb_binary() -> Path:
    """Build FerretDB from its Go module once, cached.

    A plain ``go install ...@version`` builds a binary that panics at start: FerretDB embeds
    ``build/version/version.txt``, which its release tooling generates and the module zip lacks. So
    the module is downloaded with ``go mod download``, copied, given that file, and built in place.
    """
    root = CACHE / f"ferretdb-{FERRETDB_VERSION}"
    binary = root / "bin" / "ferretdb"
    if binary.exists():
        return binary
    go = require_tool("go", "install Go 1.24+ (https://go.dev/doc/install; Debian: apt-get install golang)")
    print(f"building FerretDB {FERRETDB_VERSION} from its Go module into {binary.parent} ...", flush=True)
    module = f"github.com/FerretDB/FerretDB@{FERRETDB_VERSION}"
    info = subprocess.run(
        [go, "mod", "download", "-json", module], check=True, capture_output=True, text=True
    ).stdout
    source_dir = json.loads(info)["Dir"]
    build_dir = root / "src"
    shutil.rmtree(build_dir, ignore_errors=True)
    shutil.copytree(source_dir, build_dir)
    build_dir.chmod(0o755)
    for path in build_dir.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (build_dir / "build/version/version.txt").write_text(f"{FERRETDB_VERSION}\n")
    env = {**os.environ, "CGO_ENABLED": "0"}
    subprocess.run(
        [go, "build", "-trimpath", "-o", str(binary), "./cmd/ferretdb"], check=True, env=env, cwd=build_dir
    )
    shutil.rmtree(build_dir, ignore_errors=True)
    return binary


def start_ferretdb(ports: Ports) -> None:
    check_port_free(ports.mongo, "FerretDB", "CONCORD_LOCAL_MONGO_PORT")
    binary = ferretdb_binary()
    data = RUN / "ferretdb" / "data"
    data.mkdir(parents=True, exist_ok=True)
    start_process(
        "ferretdb",
        [
            str(binary),
            "--handler=sqlite",
            f"--sqlite-url=file:{data}/",
            f"--listen-addr=127.0.0.1:{ports.mongo}",
            f"--state-dir={RUN / 'ferretdb'}",
            "--debug-addr=-",
            "--telemetry=disable",
            "--log-level=warn",
        ],
        env={**os.environ, "DO_NOT_TRACK": "1"},
    )


def wait_mongo(uri: str) -> None:
    from pymongo import MongoClient  # noqa: PLC0415 - only needed for readiness

    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if pid_alive(RUN / "ferretdb.pid") is None:
            raise InfraError(f"FerretDB exited during start-up; see {LOGS / 'ferretdb.log'}")
        try:
            with MongoClient(uri, serverSelectionTimeoutMS=1000) as client:
                client.admin.command("ping")
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise InfraError(f"FerretDB not ready after {READY_TIMEOUT_S:.0f}s ({exc})") from exc
            time.sleep(0.3)


# ---------------------------------------------------------------- commands


def endpoints(ports: Ports) -> dict[str, str]:
    return {
        "CONCORD_KAFKA_BOOTSTRAP": f"127.0.0.1:{ports.kafka}",
        "CONCORD_MONGODB_URI": f"mongodb://127.0.0.1:{ports.mongo}/",
    }


def up() -> None:
    RUN.mkdir(parents=True, exist_ok=True)
    ports = Ports.from_env()
    urls = endpoints(ports)
    started = time.monotonic()
    if pid_alive(RUN / "kafka.pid") is None:
        start_kafka(ports)
    if pid_alive(RUN / "ferretdb.pid") is None:
        start_ferretdb(ports)
    wait_kafka(urls["CONCORD_KAFKA_BOOTSTRAP"])
    wait_mongo(urls["CONCORD_MONGODB_URI"])
    ENV_FILE.write_text("".join(f"{key}={value}\n" for key, value in urls.items()))
    print(
        f"infra up in {time.monotonic() - started:.1f}s: Kafka {kafka_version()} at "
        f"{urls['CONCORD_KAFKA_BOOTSTRAP']}, FerretDB {FERRETDB_VERSION} at {urls['CONCORD_MONGODB_URI']}; "
        f"endpoints in {ENV_FILE}"
    )


def down() -> None:
    for name in ("kafka", "ferretdb"):
        print(f"{name}: {'stopped' if stop_process(name) else 'not running'}")
    ENV_FILE.unlink(missing_ok=True)


def status() -> int:
    running = {name: pid_alive(RUN / f"{name}.pid") for name in ("kafka", "ferretdb")}
    for name, pid in running.items():
        print(f"{name}: {'running, pid ' + str(pid) if pid else 'stopped'}")
    return 0 if all(running.values()) else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    command = parser.parse_args(argv).command
    try:
        if command == "up":
            up()
        elif command == "down":
            down()
        else:
            return status()
    except InfraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(
            f"error: {' '.join(map(str, exc.cmd[:3]))}... failed with exit code {exc.returncode}",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
