"""Natural ids the link stage gives what it creates, so a redelivery or a racing replica repeats them:
the ``EntityChanged`` messages it publishes and the entities unmatched records start."""

import json
import uuid
from collections.abc import Collection

from shared.core.events import CONCORD_MESSAGE_NAMESPACE
from shared.core.matching.keys import ref_key, value_keys
from shared.core.model import EntityId
from shared.core.model.ids import entity_id_for
from shared.core.repositories import AnySnapshot


def entity_changed_id(cause: str, entity_id: EntityId) -> str:
    """The natural id of the ``EntityChanged`` that ``cause`` produced for ``entity_id``."""
    name = json.dumps(["entity_changed", cause, entity_id], separators=(",", ":"))
    return str(uuid.uuid5(CONCORD_MESSAGE_NAMESPACE, name))


def new_entity_id_for(snapshot: AnySnapshot, avoid: Collection[EntityId] = ()) -> EntityId:
    """The id of the entity an unmatched record starts: from its first value key (email, SKU, order
    number), else from the record itself. Deterministic, so concurrent creators pick the same one.

    ``avoid`` are entities an operator detached the record from: one of them may carry the natural id
    (the record started it), so the next natural key is used, and a key naming them as a last resort.
    """
    keys = sorted(value_keys(snapshot.values))
    natural = [*keys[:1], ref_key(snapshot.ref), "|".join([ref_key(snapshot.ref), *sorted(avoid)])]
    ids = [entity_id_for(snapshot.entity_type.value, key) for key in natural]
    return next(entity_id for entity_id in ids if entity_id not in avoid)
