"""A platform record as Concord last saw it, expressed in canonical terms.

A snapshot is what the checks compare: the mapping turned the platform's record into a (partial)
canonical entity, and ``represented`` says which canonical fields that platform can hold at all, so
that "absent because unrepresentable" is never confused with "absent because empty".
"""

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.core.model import Customer, EntityType, ExternalRef, Order, Product, Surface

CanonicalView = Customer | Product | Order


class _SnapshotBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: ExternalRef
    represented: frozenset[str]
    source_version: str | None = None
    source_updated_at: AwareDatetime | None = None
    observed_at: AwareDatetime
    surface: Surface
    deleted: bool = False


class CustomerSnapshot(_SnapshotBase):
    entity_type: Literal[EntityType.CUSTOMER] = EntityType.CUSTOMER
    values: Customer


class ProductSnapshot(_SnapshotBase):
    entity_type: Literal[EntityType.PRODUCT] = EntityType.PRODUCT
    values: Product


class OrderSnapshot(_SnapshotBase):
    entity_type: Literal[EntityType.ORDER] = EntityType.ORDER
    values: Order


RecordSnapshot = Annotated[
    CustomerSnapshot | ProductSnapshot | OrderSnapshot, Field(discriminator="entity_type")
]
"""One platform record in canonical terms, discriminated by entity type."""


def field_value(snapshot: CustomerSnapshot | ProductSnapshot | OrderSnapshot, field: str) -> object:
    """The canonical value of ``field`` in the snapshot; raises ``KeyError`` if not represented."""
    if field not in snapshot.represented:
        raise KeyError(f"{snapshot.ref.system} does not represent {snapshot.entity_type}.{field}")
    return getattr(snapshot.values, field)
