"""One registry holds exactly one mapping per (system, entity type)."""

from itertools import product

import pytest

from shared.core.mapping import (
    AnyEntityMapping,
    DuplicateMapping,
    MappingRegistry,
    MissingMapping,
    all_mappings,
    mapping_for,
)
from shared.core.mapping.customer import hubspot_contacts
from shared.core.mapping.registry import MAPPING_FACTORIES
from shared.core.model import EntityType, System
from shared.core.platforms import object_type_for


def test_every_system_and_entity_type_has_a_mapping() -> None:
    assert MappingRegistry(factory() for factory in MAPPING_FACTORIES).missing() == frozenset()
    assert len(all_mappings()) == len(System) * len(EntityType)


@pytest.mark.parametrize(("system", "entity_type"), list(product(System, EntityType)))
def test_mapping_for_returns_the_pair_with_the_platform_object_type(
    system: System, entity_type: EntityType
) -> None:
    mapping = mapping_for(system, entity_type)
    assert (mapping.system, mapping.entity_type) == (system, entity_type)
    assert mapping.object_type == object_type_for(system, entity_type)


def test_registering_a_pair_twice_raises() -> None:
    registry = MappingRegistry([hubspot_contacts()])
    with pytest.raises(DuplicateMapping, match="hubspot customer"):
        registry.register(hubspot_contacts())


def test_a_registry_missing_a_pair_says_which() -> None:
    registry = MappingRegistry([hubspot_contacts()])
    assert (System.NETSUITE, EntityType.ORDER) in registry.missing()
    with pytest.raises(MissingMapping, match="netsuite order"):
        registry.get(System.NETSUITE, EntityType.ORDER)


@pytest.mark.parametrize("mapping", all_mappings(), ids=lambda m: f"{m.system}-{m.entity_type}")
def test_every_unrepresented_field_has_a_reason_and_is_not_also_represented(
    mapping: AnyEntityMapping,
) -> None:
    unrepresented = mapping.unrepresentable()
    assert all(reason.strip() for reason in unrepresented.values())
    assert not set(unrepresented) & mapping.represented_fields
