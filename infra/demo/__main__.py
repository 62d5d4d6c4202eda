"""``python -m infra.demo up | down | status | seed`` (what ``make demo`` and ``make down`` run).

``seed`` is docker-compose's one-shot job: it seeds an already running sandbox
(``CONCORD_DEMO_SANDBOX_URL``) and writes the operator's sign-in to ``CONCORD_DEMO_USERS_FILE``.

``up`` reads Kafka and MongoDB from ``CONCORD_KAFKA_BOOTSTRAP`` / ``CONCORD_MONGODB_URI`` (``make demo``
sources ``.run/infra.env``), starts the demo in ``.run/`` (or ``$CONCORD_LOCAL_RUN_DIR``), prints the
dashboard URL and the operator's sign-in, and returns; the services keep running. Ports:
``CONCORD_DEMO_SANDBOX_PORT`` (8900), ``CONCORD_DEMO_INGEST_PORT`` (8000), ``CONCORD_DEMO_DASHBOARD_PORT``
(8501); ``CONCORD_DEMO_REPLICAS`` (1) runs that many of ingest, checker and syncer.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from infra.demo.config import DemoConfig
from infra.demo.observe import discrepancy_counts
from infra.demo.session import (
    DEMO_USER,
    READY_TIMEOUT_S,
    DemoScenario,
    configure_webhooks,
    seed_sandbox,
    start_demo,
    stop_demo,
    write_users_file,
)
from infra.processes import REPO, HttpProbe, ProcessFailed, Supervisor


def demo_config() -> DemoConfig:
    env = os.environ
    return DemoConfig(
        run_dir=Path(env.get("CONCORD_LOCAL_RUN_DIR") or REPO / ".run"),
        kafka=env.get("CONCORD_KAFKA_BOOTSTRAP", "127.0.0.1:19092"),
        mongo_uri=env.get("CONCORD_MONGODB_URI", "mongodb://127.0.0.1:27018/"),
        sandbox_port=int(env.get("CONCORD_DEMO_SANDBOX_PORT", "8900")),
        ingest_port=int(env.get("CONCORD_DEMO_INGEST_PORT", "8000")),
        dashboard_port=int(env.get("CONCORD_DEMO_DASHBOARD_PORT", "8501")),
        replicas=int(env.get("CONCORD_DEMO_REPLICAS", "1")),
    )


def _busy_ports(config: DemoConfig) -> list[str]:
    wanted = {
        "CONCORD_DEMO_SANDBOX_PORT": config.sandbox_port,
        "CONCORD_DEMO_DASHBOARD_PORT": config.dashboard_port,
        **{f"CONCORD_DEMO_INGEST_PORT (+{n})": config.ingest_port + n for n in range(config.replicas)},
    }
    busy = []
    for variable, port in wanted.items():
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                busy.append(f"port {port} is in use (choose another with {variable}=<port>)")
    return busy


def up() -> int:
    config = demo_config()
    Supervisor(config.run_dir).stop_all()  # a previous demo's services free their ports first
    if busy := _busy_ports(config):
        print("error: " + "; ".join(busy), file=sys.stderr)
        return 2
    print("starting the sandbox, ingest, checker, syncer and dashboard ...", flush=True)
    session = start_demo(config)
    counts = {key: len(value) for key, value in session.report.items() if isinstance(value, list)}
    print(
        f"\nConcord demo is up. Sandbox seeded: {counts.get('customers')} customers, "
        f"{counts.get('products')} products, {counts.get('orders')} orders, {counts.get('drift')} drifts planted."
        f"\n\n  dashboard:  {config.dashboard_url}\n  sign in:    {session.username} / {session.password}"
        f"\n\n  sandbox {config.sandbox_url} · ingest {config.ingest_url} · logs {config.run_dir / 'logs'}"
        "\n  discrepancies of every kind appear within a minute (`make demo-status` counts them); `make down` stops it all."
    )
    return 0


def status() -> int:
    config = demo_config()
    processes = Supervisor(config.run_dir).status()
    for process in processes:
        state = f"running, pid {process.pid}" if process.pid else "stopped"
        print(f"{process.name:<12} {state:<22} {process.log}")
    if not processes:
        print("no demo services in", config.run_dir)
        return 1
    for kind, count in discrepancy_counts(config).items():
        print(f"open {kind:<14} {count}")
    return 0 if all(p.running for p in processes) else 1


def down() -> int:
    stopped = stop_demo(demo_config())
    print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
    return 0


def seed() -> int:
    """The compose job: wait for the sandbox, turn callouts on, seed it, write the operator's sign-in."""
    sandbox_url = os.environ.get("CONCORD_DEMO_SANDBOX_URL", "http://127.0.0.1:8900")
    users = Path(os.environ.get("CONCORD_DEMO_USERS_FILE") or REPO / ".run" / "demo-users.toml")
    HttpProbe(f"{sandbox_url}/_admin/health").wait(READY_TIMEOUT_S)
    # Compose's job runs as root and the dashboard as nobody: the volume is private to the two.
    password = write_users_file(users, mode=0o644)
    configure_webhooks(sandbox_url)
    report = seed_sandbox(sandbox_url, DemoScenario())
    drifts = report.get("drift")
    print(f"sandbox seeded ({len(drifts) if isinstance(drifts, list) else 0} drifts planted)")
    print(f"dashboard sign-in: {DEMO_USER} / {password}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.demo", description="the Concord demo")
    parser.add_argument("command", choices=["up", "down", "status", "seed"])
    command = parser.parse_args(argv).command
    try:
        return {"up": up, "down": down, "status": status, "seed": seed}[command]()
    except ProcessFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
