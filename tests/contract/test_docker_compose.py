"""docker-compose.yml is valid Compose and names only services that exist in this repository."""

import json
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[2]
INFRASTRUCTURE = {"kafka", "mongodb"}


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
    application = set(services) - INFRASTRUCTURE
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
