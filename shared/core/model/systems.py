"""Closed sets every part of Concord agrees on: the platforms, the entity types, the event surfaces."""

from enum import StrEnum


class System(StrEnum):
    """A platform Concord reconciles."""

    HUBSPOT = "hubspot"
    SHOPIFY = "shopify"
    NETSUITE = "netsuite"


class EntityType(StrEnum):
    """A canonical business entity type."""

    CUSTOMER = "customer"
    PRODUCT = "product"
    ORDER = "order"


class Surface(StrEnum):
    """How an observation reached Concord; explains freshness and which surface missed a change."""

    WEBHOOK = "webhook"
    POLL = "poll"
    PULSE = "pulse"
    SYNC_READBACK = "sync_readback"
