"""docker-compose.yml is valid Compose and names only services that exist in this repository."""

import json
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[2]
INFRASTRUCTURE = {"kafka", "mongodb"}
JOBS = {"seed"}  # one-shot demo jobs, run from infra/ (not long-running services)
CONSUMING = ("ingest", "checker", "syncer")


def load_compose() -> dict[str, object]:
    document = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(document, dict)
    return document


def compose_schema() -> dict[str, object]:
    # check-jsonschema vendors the Compose Specification's schema; no network needed.
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    return json.loads(schema_file.read_text())  # type: ignore[no-any-return]


def test_compose_file_validates_against_the_compose_specification() -> None:
    jsonschema.validate(load_compose(), compose_schema())


def test_schema_check_rejects_an_invalid_compose_file() -> None:
    broken = load_compose() | {
        "services": {"ingest": {"ports": "8000:8000", "healthcheck": {"retries": "x"}}}
    }
    validator = jsonschema.Draft7Validator(compose_schema())
    assert list(validator.iter_errors(broken))


def test_every_application_service_in_compose_is_a_service_package() -> None:
    services = load_compose()["services"]
    assert isinstance(services, dict)
    application = set(services) - INFRASTRUCTURE - JOBS
    assert application, "compose names no application service"
    for name in application:
        package = REPO / "services" / name
        assert (package / "__main__.py").is_file(), (
            f"compose service {name!r} has no services/{name}/__main__.py"
        )
        assert services[name]["command"] == ["python", "-m", f"services.{name}"]


def test_compose_pins_the_same_kafka_version_as_the_local_runtime() -> None:
    pom = (REPO / "infra" / "kafka" / "pom.xml").read_text()
    services = load_compose()["services"]
    assert isinstance(services, dict)
    image_version = services["kafka"]["image"].split(":")[1]
    assert f"<kafka.version>{image_version}</kafka.version>" in pom


def test_one_shot_jobs_run_demo_tooling_once() -> None:
    services = load_compose()["services"]
    assert isinstance(services, dict)
    for name in JOBS:
        job = services[name]
        assert job["restart"] == "no"
        module = job["command"][2]
        assert job["command"][:2] == ["python", "-m"]
        assert (REPO / module.replace(".", "/") / "__main__.py").is_file(), f"{name} runs missing {module}"


def _fixed_host_ports(service: dict[str, object]) -> list[str]:
    ports = service.get("ports", [])
    assert isinstance(ports, list)
    return [str(port) for port in ports if ":" in str(port)]


def test_consuming_services_can_be_scaled() -> None:
    """``--scale`` needs no container name and no fixed host port on a replicated service."""
    services = load_compose()["services"]
    assert isinstance(services, dict)
    for name in CONSUMING:
        assert "container_name" not in services[name], name
        assert _fixed_host_ports(services[name]) == [], f"{name} publishes a fixed host port"


def test_scaling_check_rejects_a_fixed_host_port() -> None:
    assert _fixed_host_ports({"ports": ["8000:8000"]}) == ["8000:8000"]
    assert _fixed_host_ports({"ports": ["8000"]}) == []


def test_the_sandbox_delivers_webhooks_to_ingest_with_the_secrets_ingest_verifies() -> None:
    services = load_compose()["services"]
    assert isinstance(services, dict)
    sandbox, ingest = services["sandbox"]["environment"], services["ingest"]["environment"]
    assert sandbox["CONCORD_WEBHOOK_TARGET_URL"] == f"http://ingest:{ingest['CONCORD_INGEST_PORT']}"
    for secret in ("HUBSPOT_CLIENT_SECRET", "SHOPIFY_API_SECRET", "NETSUITE_CALLOUT_SECRET"):
        assert sandbox[f"CONCORD_{secret}"] == ingest[f"CONCORD_{secret}"]


def test_the_dashboard_signs_in_with_the_users_file_the_seed_job_writes() -> None:
    services = load_compose()["services"]
    assert isinstance(services, dict)
    seed, dashboard = services["seed"], services["dashboard"]
    assert (
        seed["environment"]["CONCORD_DEMO_USERS_FILE"]
        == dashboard["environment"]["CONCORD_DASHBOARD_USERS_FILE"]
    )
    assert dashboard["depends_on"]["seed"]["condition"] == "service_completed_successfully"
