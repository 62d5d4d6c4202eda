"""Finding what an order needs in its target: its customer and items, through Concord's own links.

The checker links every platform record to its canonical entity and indexes the entity under its
blocking keys (``email:``, ``sku:``); the syncer only reads those (``EntityRepository`` is written by
the checker). For each dependency the entity's target record is the one to reference; without one,
the entity's record in the order's source platform is re-read from the platform to create it from.
"""

from collections.abc import Sequence
from typing import Protocol

from services.syncer.platforms import Platforms
from shared.core.model import EntityId, EntityType, ExternalRef, Order, System
from shared.core.repositories import EntityRepository, Link
from shared.core.sync.dependencies import RelatedRecord, dependency_keys


class RelatedLookup(Protocol):
    """What the use case needs to plan the creation of an order."""

    async def related(self, order: Order, source: System, target: System) -> list[RelatedRecord]:
        """What was found of each record ``order`` needs (none found: not listed)."""
        ...


class LinkedRecords:
    """:class:`RelatedLookup` over the checker's links and the platforms' read APIs."""

    def __init__(self, entities: EntityRepository, platforms: Platforms) -> None:
        self._entities = entities
        self._platforms = platforms

    async def related(self, order: Order, source: System, target: System) -> list[RelatedRecord]:
        found: dict[str, RelatedRecord] = {}
        for kind, _line, key in dependency_keys(order):
            if key is None or key in found:
                continue
            entity_type = EntityType.CUSTOMER if kind == "customer" else EntityType.PRODUCT
            record = await self._find(entity_type, key, source, target)
            if record is not None:
                found[key] = record
        return list(found.values())

    async def _find(
        self, entity_type: EntityType, key: str, source: System, target: System
    ) -> RelatedRecord | None:
        entities = sorted(await self._entities.entities_with_keys(entity_type, [key]))
        if len(entities) != 1:
            return None  # unknown, or ambiguous: an operator must link before Concord creates anything
        (entity,) = entities
        links = (await self._entities.links_of_entities([entity])).get(entity, [])
        target_ref = _live_ref(links, target)
        if target_ref is not None:
            return RelatedRecord(key=key, entity_id=entity, target=target_ref)
        source_ref = _live_ref(links, source)
        snapshots = await self._platforms.read([source_ref], entity_type) if source_ref else []
        return RelatedRecord(key=key, entity_id=EntityId(entity), source=snapshots[0] if snapshots else None)


def _live_ref(links: Sequence[Link], system: System) -> ExternalRef | None:
    """The entity's record in ``system`` that was not merged away (the first, if several)."""
    return next((link.ref for link in links if link.ref.system is system and link.merged_into is None), None)


__all__ = ["LinkedRecords", "RelatedLookup"]
