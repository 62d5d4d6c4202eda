"""The demo's policy: the shipped one with shorter graces, so planted conflicts are hard at once."""

from pathlib import Path

import pytest

from infra.demo.config import DemoConfig, demo_policy
from shared.core.model import EntityType
from shared.core.policy import default_policy
from shared.core.policy.loader import load_policy


def _config(tmp_path: Path, graces: tuple[tuple[str, int], ...]) -> DemoConfig:
    return DemoConfig(
        run_dir=tmp_path, kafka="127.0.0.1:9092", mongo_uri="mongodb://127.0.0.1/", graces=graces
    )


def test_the_demo_policy_is_the_shipped_one_with_the_configured_graces(tmp_path: Path) -> None:
    path = demo_policy(_config(tmp_path, (("customer.customer_contact", 0), ("product.product_pricing", 5))))

    demo, shipped = load_policy(path.read_text(), path.name), default_policy()

    assert demo.dimension_rule(EntityType.CUSTOMER, "customer_contact").grace_seconds == 0
    assert demo.dimension_rule(EntityType.PRODUCT, "product_pricing").grace_seconds == 5
    assert demo.dimension_rule(EntityType.CUSTOMER, "presence") == shipped.dimension_rule(
        EntityType.CUSTOMER, "presence"
    )


def test_a_grace_for_a_dimension_the_policy_lacks_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"customer\.nonsense"):
        demo_policy(_config(tmp_path, (("customer.nonsense", 0),)))
