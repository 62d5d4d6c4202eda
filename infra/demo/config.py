"""What one demo deployment is (endpoints, databases, ports, replicas, credentials) and the service specs
that realise it: the sandbox, ingest, checker, syncer and dashboard, wired to each other.

The sandbox and ingest read the same ``CONCORD_*_SECRET`` variables, so one generated value per platform
makes the sandbox sign its webhooks with exactly the secret ingest verifies with. Connector settings
point ingest and the syncer at the sandbox with the sandbox's (generated) credentials.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from infra.processes import HttpProbe, LogProbe, ServiceSpec

# FerretDB deadlocks with ~100 statements in flight on one database: a small pool per process keeps a
# whole demo (and two replicas of everything) well below that.
MONGO_POOL_OPTION = "maxPoolSize=4"
SANDBOX_SEED = 7


def _secret() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Credentials:
    """The sandbox's platform credentials and webhook secrets for one demo (fresh each run)."""

    hubspot_token: str = field(default_factory=lambda: f"pat-demo-{_secret()}")
    hubspot_client_secret: str = field(default_factory=_secret)
    shopify_access_token: str = field(default_factory=lambda: f"shpat_{_secret()}")
    shopify_api_secret: str = field(default_factory=_secret)
    netsuite_consumer_key: str = field(default_factory=_secret)
    netsuite_consumer_secret: str = field(default_factory=_secret)
    netsuite_token_id: str = field(default_factory=_secret)
    netsuite_token_secret: str = field(default_factory=_secret)
    netsuite_callout_secret: str = field(default_factory=_secret)


@dataclass(frozen=True)
class DemoConfig:
    """One demo deployment. ``replicas`` is how many of each consuming service (ingest, checker, syncer)
    run; every replica of a service joins the same consumer group. Ingest replica ``n`` listens on
    ``ingest_port + n - 1``, or on ``more_ingest_ports[n - 2]`` when given (tests pick free ports);
    the sandbox delivers webhooks to the first."""

    run_dir: Path
    kafka: str
    mongo_uri: str
    database: str = "concord_demo"
    sandbox_database: str = "concord_demo_sandbox"
    topic_prefix: str = "demo"
    group_suffix: str = "demo"
    sandbox_port: int = 8900
    ingest_port: int = 8000
    dashboard_port: int = 8501
    replicas: int = 1
    more_ingest_ports: tuple[int, ...] = ()
    with_dashboard: bool = True
    log_level: str = "INFO"  # the checker's and syncer's readiness is their INFO "started" line
    # The shipped policy gives a price disagreement 10 minutes of grace before it is a hard conflict;
    # a demo (and its tests) cannot wait that long, so it runs the same policy with these graces
    # (``<entity type>.<dimension>``; the others keep theirs, so their fresh differences show as
    # soft drift). A contact grace of 0 was tried: records still arriving then flap as hard conflicts.
    graces: tuple[tuple[str, int], ...] = (("product.product_pricing", 0),)
    credentials: Credentials = field(default_factory=Credentials)

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def ingest_url(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}"

    @property
    def dashboard_url(self) -> str:
        return f"http://127.0.0.1:{self.dashboard_port}"

    @property
    def users_file(self) -> Path:
        return self.run_dir / "demo-users.toml"


def _mongo_uri(uri: str) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{MONGO_POOL_OPTION}"


def _common(config: DemoConfig, service: str, database: str) -> dict[str, str]:
    return {
        "CONCORD_SERVICE_NAME": service,
        "CONCORD_KAFKA_BOOTSTRAP": config.kafka,
        "CONCORD_MONGODB_URI": _mongo_uri(config.mongo_uri),
        "CONCORD_MONGODB_DATABASE": database,
        "CONCORD_TOPIC_PREFIX": config.topic_prefix,
        "CONCORD_LOG_LEVEL": config.log_level,
        "CONCORD_LOG_FORMAT": "json",
    }


def _webhook_secrets(c: Credentials) -> dict[str, str]:
    return {
        "CONCORD_HUBSPOT_CLIENT_SECRET": c.hubspot_client_secret,
        "CONCORD_SHOPIFY_API_SECRET": c.shopify_api_secret,
        "CONCORD_NETSUITE_CALLOUT_SECRET": c.netsuite_callout_secret,
    }


def connector_env(config: DemoConfig) -> dict[str, str]:
    """``CONCORD_{HUBSPOT,SHOPIFY,NETSUITE}__*``: the three connectors pointed at the sandbox."""
    c, url = config.credentials, config.sandbox_url
    return {
        "CONCORD_HUBSPOT__BASE_URL": url,
        "CONCORD_HUBSPOT__PORTAL_ID": "62515",
        "CONCORD_HUBSPOT__TOKEN": c.hubspot_token,
        "CONCORD_SHOPIFY__SHOP": "concord-demo",
        "CONCORD_SHOPIFY__BASE_URL": url,
        "CONCORD_SHOPIFY__ACCESS_TOKEN": c.shopify_access_token,
        "CONCORD_NETSUITE__ACCOUNT_ID": "1234567_SB1",
        "CONCORD_NETSUITE__BASE_URL": url,
        "CONCORD_NETSUITE__CONSUMER_KEY": c.netsuite_consumer_key,
        "CONCORD_NETSUITE__CONSUMER_SECRET": c.netsuite_consumer_secret,
        "CONCORD_NETSUITE__TOKEN_ID": c.netsuite_token_id,
        "CONCORD_NETSUITE__TOKEN_SECRET": c.netsuite_token_secret,
    }


def sandbox_spec(config: DemoConfig) -> ServiceSpec:
    c = config.credentials
    env = {
        **_common(config, "sandbox", config.sandbox_database),
        **_webhook_secrets(c),
        "CONCORD_SANDBOX_PORT": str(config.sandbox_port),
        "CONCORD_SANDBOX_SEED": str(SANDBOX_SEED),
        "CONCORD_WEBHOOK_TARGET_URL": config.ingest_url,
        "CONCORD_HUBSPOT_PORTAL_ID": "62515",
        "CONCORD_HUBSPOT_TOKEN": c.hubspot_token,
        "CONCORD_SHOPIFY_SHOP": "concord-demo",
        "CONCORD_SHOPIFY_ACCESS_TOKEN": c.shopify_access_token,
        "CONCORD_NETSUITE_ACCOUNT_ID": "1234567_SB1",
        "CONCORD_NETSUITE_CONSUMER_KEY": c.netsuite_consumer_key,
        "CONCORD_NETSUITE_CONSUMER_SECRET": c.netsuite_consumer_secret,
        "CONCORD_NETSUITE_TOKEN_ID": c.netsuite_token_id,
        "CONCORD_NETSUITE_TOKEN_SECRET": c.netsuite_token_secret,
    }
    probe = HttpProbe(f"{config.sandbox_url}/_admin/health")
    return ServiceSpec(name="sandbox", module="services.sandbox", env=env, probe=probe)


def ingest_spec(config: DemoConfig, replica: int) -> ServiceSpec:
    name = f"ingest-{replica}"
    port = config.ingest_port + replica - 1
    if replica > 1 and config.more_ingest_ports:
        port = config.more_ingest_ports[replica - 2]
    env = {
        **_common(config, "ingest", config.database),
        **_webhook_secrets(config.credentials),
        **connector_env(config),
        "CONCORD_INGEST_PORT": str(port),
        "CONCORD_REPLICA_ID": f"{name}-{config.group_suffix}",
        # Polled platforms (NetSuite, Shopify) show passive drift within a demo's minute, not the default's.
        "CONCORD_POLLING__NETSUITE_INTERVAL_SECONDS": "15",
        "CONCORD_POLLING__SHOPIFY_INTERVAL_SECONDS": "15",
        # The sandbox commits at once, so no record surfaces late: polls re-read the last 20 s, not the
        # default two minutes (with 15 s polls that re-read every record the scenario just wrote).
        "CONCORD_POLLING__OVERLAP_SECONDS": "20",
    }
    probe = HttpProbe(f"http://127.0.0.1:{port}/readyz")
    return ServiceSpec(name=name, module="services.ingest", env=env, probe=probe)


def checker_spec(config: DemoConfig, replica: int) -> ServiceSpec:
    name = f"checker-{replica}"
    env = {
        **_common(config, "checker", config.database),
        "CONCORD_GROUP_ID": f"concord-checker-{config.group_suffix}",
        "CONCORD_INSTANCE_ID": f"{name}-{config.group_suffix}",
        # Short batches keep each FerretDB round small: a 500-record batch took minutes on a loaded machine.
        "CONCORD_LINK_BATCH_SIZE": "100",
        "CONCORD_EVALUATE_BATCH_SIZE": "100",
    }
    if config.graces:
        env["CONCORD_POLICY_PATH"] = str(demo_policy(config))
    return ServiceSpec(name=name, module="services.checker", env=env, probe=LogProbe("checker_started"))


def demo_policy(config: DemoConfig) -> Path:
    """The shipped policy with the graces of ``config.graces``."""
    shipped = Path(__file__).resolve().parents[2] / "shared" / "core" / "policy" / "default.toml"
    text = shipped.read_text()
    for dimension, seconds in config.graces:
        entity_type, _, name = dimension.partition(".")
        text, replaced = re.subn(
            rf"(\[entities\.{entity_type}\.dimensions\.{name}\]\ngrace_seconds = )\d+",
            rf"\g<1>{seconds}",
            text,
        )
        if replaced != 1:
            raise ValueError(f"{shipped} has no {dimension} grace_seconds to override")
    path = config.run_dir / "demo-policy.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def syncer_spec(config: DemoConfig, replica: int) -> ServiceSpec:
    env = {
        **_common(config, "syncer", config.database),
        **connector_env(config),
        "CONCORD_GROUP_ID": f"concord-syncer-{config.group_suffix}",
    }
    return ServiceSpec(
        name=f"syncer-{replica}", module="services.syncer", env=env, probe=LogProbe("syncer_started")
    )


def dashboard_spec(config: DemoConfig) -> ServiceSpec:
    env = {
        **_common(config, "dashboard", config.database),
        "CONCORD_DASHBOARD_PORT": str(config.dashboard_port),
        "CONCORD_DASHBOARD_USERS_FILE": str(config.users_file),
    }
    probe = HttpProbe(f"{config.dashboard_url}/_stcore/health")
    return ServiceSpec(name="dashboard", module="services.dashboard", env=env, probe=probe)


def service_specs(config: DemoConfig) -> list[ServiceSpec]:
    """Every process of the demo except the sandbox, in start order."""
    replicas = range(1, config.replicas + 1)
    specs = [
        *(ingest_spec(config, n) for n in replicas),
        *(checker_spec(config, n) for n in replicas),
        *(syncer_spec(config, n) for n in replicas),
    ]
    return [*specs, dashboard_spec(config)] if config.with_dashboard else specs
