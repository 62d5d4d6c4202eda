"""Declarative, typed entity mappings between platform records and canonical entities, and normalisers."""

from shared.core.mapping.context import MappingContext
from shared.core.mapping.entity import AnyEntityMapping, EntityMapping
from shared.core.mapping.fields import FieldMap, FieldNotWritable, Unrepresentable
from shared.core.mapping.registry import (
    DuplicateMapping,
    MappingRegistry,
    MissingMapping,
    all_mappings,
    default_registry,
    mapping_for,
)

__all__ = [
    "AnyEntityMapping",
    "DuplicateMapping",
    "EntityMapping",
    "FieldMap",
    "FieldNotWritable",
    "MappingContext",
    "MappingRegistry",
    "MissingMapping",
    "Unrepresentable",
    "all_mappings",
    "default_registry",
    "mapping_for",
]
