"""Lenient wire models of the platforms' records, and the registry that parses payloads into them."""

from shared.core.platforms.base import (
    PlatformRecord,
    WireModel,
    WireObject,
    WireRecord,
    WireValue,
    encode_json,
)
from shared.core.platforms.registry import (
    OBJECT_TYPES,
    RECORD_TYPES,
    entity_type_for,
    object_type_for,
    parse_record,
)

__all__ = [
    "OBJECT_TYPES",
    "RECORD_TYPES",
    "PlatformRecord",
    "WireModel",
    "WireObject",
    "WireRecord",
    "WireValue",
    "encode_json",
    "entity_type_for",
    "object_type_for",
    "parse_record",
]
