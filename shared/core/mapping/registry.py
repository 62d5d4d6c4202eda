"""The one registry of entity mappings. Adding a mapping is one line in ``MAPPING_FACTORIES``."""

from collections.abc import Callable, Iterable
from functools import cache
from itertools import product

from shared.core.mapping import customer, order
from shared.core.mapping import product as product_mappings
from shared.core.mapping.entity import AnyEntityMapping
from shared.core.model import EntityType, System

MappingFactory = Callable[[], AnyEntityMapping]

MAPPING_FACTORIES: tuple[MappingFactory, ...] = (
    customer.hubspot_contacts,
    customer.shopify_customers,
    customer.netsuite_customers,
    product_mappings.hubspot_products,
    product_mappings.shopify_variants,
    product_mappings.netsuite_inventory_items,
    order.hubspot_deals,
    order.shopify_orders,
    order.netsuite_sales_orders,
)


class DuplicateMapping(ValueError):
    """Two mappings registered for the same (system, entity type)."""


class MissingMapping(LookupError):
    """No mapping for a (system, entity type) pair."""


class MappingRegistry:
    """Mappings by (system, entity type); registering a pair twice raises ``DuplicateMapping``."""

    def __init__(self, mappings: Iterable[AnyEntityMapping] = ()) -> None:
        self._mappings: dict[tuple[System, EntityType], AnyEntityMapping] = {}
        for mapping in mappings:
            self.register(mapping)

    def register(self, mapping: AnyEntityMapping) -> None:
        key = (mapping.system, mapping.entity_type)
        if key in self._mappings:
            raise DuplicateMapping(f"a {mapping.system} {mapping.entity_type} mapping is already registered")
        self._mappings[key] = mapping

    def get(self, system: System, entity_type: EntityType) -> AnyEntityMapping:
        try:
            return self._mappings[(system, entity_type)]
        except KeyError:
            raise MissingMapping(f"no {system} {entity_type} mapping registered") from None

    def all(self) -> tuple[AnyEntityMapping, ...]:
        return tuple(self._mappings.values())

    def missing(self) -> frozenset[tuple[System, EntityType]]:
        """(system, entity type) pairs with no mapping; empty for a complete registry."""
        return frozenset(set(product(System, EntityType)) - self._mappings.keys())


@cache
def default_registry() -> MappingRegistry:
    """The registry of ``MAPPING_FACTORIES``, built on first use (nothing is built at import time)."""
    return MappingRegistry(factory() for factory in MAPPING_FACTORIES)


def mapping_for(system: System, entity_type: EntityType) -> AnyEntityMapping:
    """The mapping for (system, entity type); raises ``MissingMapping`` if none is registered."""
    return default_registry().get(system, entity_type)


def all_mappings() -> tuple[AnyEntityMapping, ...]:
    """Every registered mapping."""
    return default_registry().all()
