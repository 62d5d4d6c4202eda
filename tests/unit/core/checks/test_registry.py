import importlib
import pkgutil
from pathlib import Path

import pytest

from shared.core.checks import (
    CheckRegistry,
    DuplicateCheckError,
    builtin,
    builtin_checks,
    default_registry,
    field_check,
)
from shared.core.model import EntityType

BUILTIN_MODULES = [info.name for info in pkgutil.iter_modules(builtin.__path__)]


def test_builtin_check_names_are_unique() -> None:
    names = [check.name for check in builtin_checks()]

    assert len(names) == len(set(names))


@pytest.mark.parametrize("module_name", BUILTIN_MODULES)
def test_every_builtin_check_module_is_registered(module_name: str) -> None:
    module = importlib.import_module(f"{builtin.__name__}.{module_name}")
    registered = builtin_checks()

    assert module.CHECKS, f"{module_name} defines no CHECKS"
    assert all(check in registered for check in module.CHECKS), f"{module_name} is not listed in registry.py"


@pytest.mark.parametrize("module_name", BUILTIN_MODULES)
def test_every_builtin_check_module_has_its_table_driven_test(module_name: str) -> None:
    assert (Path(__file__).parent / "builtin" / f"test_{module_name}.py").is_file()


def test_registering_a_taken_name_fails() -> None:
    registry = default_registry()

    with pytest.raises(DuplicateCheckError, match="customer_contact"):
        registry.register(field_check("customer_contact", EntityType.CUSTOMER, "email", dimension="other"))


def test_registering_a_second_check_for_a_dimension_fails() -> None:
    registry = CheckRegistry([field_check("a", EntityType.PRODUCT, "title", dimension="catalog")])

    with pytest.raises(DuplicateCheckError, match=r"product\.catalog"):
        registry.register(field_check("b", EntityType.PRODUCT, "sku", dimension="catalog"))


def test_registry_selects_checks_by_entity_type_and_dimension() -> None:
    registry = default_registry()

    assert {c.dimension for c in registry.for_entity(EntityType.ORDER)} == {
        "presence",
        "order_status",
        "order_totals",
        "deal_amount",
        "refund_credit_memo",
    }
    assert [c.name for c in registry.for_entity(EntityType.PRODUCT, {"product_pricing"})] == [
        "product_pricing"
    ]


def test_every_builtin_dimension_has_a_rule_in_the_default_policy() -> None:
    from shared.core.policy import default_policy

    policy = default_policy()
    for check in builtin_checks():
        assert check.dimension in policy.entity(check.entity_type).dimensions, check.name
