"""Consistency checks: the protocol, the registry, and the built-in checks."""

from shared.core.checks.base import ConsistencyCheck, EntitySnapshots
from shared.core.checks.field_check import FieldConsistencyCheck, field_check
from shared.core.checks.fields import FieldSpec
from shared.core.checks.registry import CheckRegistry, DuplicateCheckError, builtin_checks, default_registry

__all__ = [
    "CheckRegistry",
    "ConsistencyCheck",
    "DuplicateCheckError",
    "EntitySnapshots",
    "FieldConsistencyCheck",
    "FieldSpec",
    "builtin_checks",
    "default_registry",
    "field_check",
]
