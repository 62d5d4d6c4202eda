"""Where the tests find Kafka and MongoDB.

Order of preference (issue 2, STACK.md §5):
1. ``CONCORD_KAFKA_BOOTSTRAP`` / ``CONCORD_MONGODB_URI`` from the environment;
2. testcontainers (official Kafka and MongoDB images) when a Docker daemon answers;
3. the local servers of ``infra/local_infra.py`` (real Apache Kafka + FerretDB), started on demand
   and stopped at the end of the session if this session started them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENV_FILE = REPO / ".run" / "infra.env"
KAFKA_IMAGE = "apache/kafka:4.1.2"
MONGO_IMAGE = "mongo:7"


@dataclass(frozen=True)
class Backends:
    kind: str
    kafka_bootstrap: str
    mongo_uri: str
    description: str


def choose_backend_kind() -> str:
    """'environment', 'docker' or 'local' — cheap enough to call from the pytest header hook."""
    if os.environ.get("CONCORD_KAFKA_BOOTSTRAP") and os.environ.get("CONCORD_MONGODB_URI"):
        return "environment"
    if docker_available():
        return "docker"
    return "local"


def docker_available() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        client.close()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def provide_backends() -> Iterator[Backends]:
    kind = choose_backend_kind()
    if kind == "environment":
        yield Backends(
            kind,
            os.environ["CONCORD_KAFKA_BOOTSTRAP"],
            os.environ["CONCORD_MONGODB_URI"],
            "Kafka and MongoDB from CONCORD_KAFKA_BOOTSTRAP / CONCORD_MONGODB_URI",
        )
    elif kind == "docker":
        with _containers() as backends:
            yield backends
    else:
        with _local_servers() as backends:
            yield backends


@contextlib.contextmanager
def _containers() -> Iterator[Backends]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    with KafkaContainer(KAFKA_IMAGE) as kafka, MongoDbContainer(MONGO_IMAGE) as mongo:
        yield Backends(
            "docker",
            kafka.get_bootstrap_server(),
            mongo.get_connection_url(),
            f"testcontainers: {KAFKA_IMAGE} and {MONGO_IMAGE}",
        )


def _infra(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "infra" / "local_infra.py"), command],
        capture_output=True,
        text=True,
        check=False,
    )


@contextlib.contextmanager
def _local_servers() -> Iterator[Backends]:
    already_running = _infra("status").returncode == 0
    started = _infra("up")
    if started.returncode != 0:
        raise RuntimeError(f"could not start local Kafka + FerretDB:\n{started.stdout}{started.stderr}")
    endpoints = dict(line.split("=", 1) for line in ENV_FILE.read_text().splitlines() if "=" in line)
    who = "already running" if already_running else "started for this session"
    try:
        yield Backends(
            "local",
            endpoints["CONCORD_KAFKA_BOOTSTRAP"],
            endpoints["CONCORD_MONGODB_URI"],
            f"local Apache Kafka (KRaft) + FerretDB from infra/local_infra.py, {who}",
        )
    finally:
        if not already_running:
            _infra("down")
