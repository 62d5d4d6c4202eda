"""Typed identifiers: canonical entity ids and references to platform records."""

import uuid
from typing import Annotated, NewType

from pydantic import BaseModel, ConfigDict, StringConstraints

from shared.core.model.systems import System

EntityId = NewType("EntityId", str)
"""Concord's own id of a canonical entity (``ent_`` + 32 hex characters)."""

NonEmptyStr = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


def new_entity_id() -> EntityId:
    """Return a fresh, random canonical entity id."""
    return EntityId(f"ent_{uuid.uuid4().hex}")


def entity_id_for(namespace: str, natural_key: str) -> EntityId:
    """Return a deterministic entity id for a natural key, so that replays produce the same id."""
    return EntityId(f"ent_{uuid.uuid5(uuid.NAMESPACE_URL, f'concord:{namespace}:{natural_key}').hex}")


class ExternalRef(BaseModel):
    """One record in one platform, e.g. HubSpot ``contacts`` ``51``.

    ``object_type`` is the platform's own name for the collection (``contacts``, ``customers``,
    ``customer``, ``salesOrder``...). ``external_id`` is always a string, even where a platform's
    webhooks send numbers, so that the same record always has the same key.
    """

    model_config = ConfigDict(frozen=True)

    system: System
    object_type: NonEmptyStr
    external_id: NonEmptyStr

    @property
    def key(self) -> str:
        """A stable string key: ``system:object_type:external_id`` (Kafka key, MongoDB id)."""
        return f"{self.system.value}:{self.object_type}:{self.external_id}"

    @classmethod
    def parse(cls, key: str) -> "ExternalRef":
        """Parse a key made by :attr:`key`. Raises ``ValueError`` on a malformed key."""
        system, sep1, rest = key.partition(":")
        object_type, sep2, external_id = rest.partition(":")
        if not (sep1 and sep2):
            raise ValueError(f"not an external record key: {key!r}")
        return cls(system=System(system), object_type=object_type, external_id=external_id)

    def __str__(self) -> str:
        return self.key
