"""EntityMapping: one platform record type <-> one canonical entity type, built from declarations."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from pydantic import ValidationError

from shared.core.errors import InvalidInput
from shared.core.mapping.context import MappingContext
from shared.core.mapping.fields import FieldMap, FieldNotWritable, Unrepresentable
from shared.core.model import Customer, EntityType, ExternalRef, Order, Product, Surface, System
from shared.core.platforms.base import WireObject, WireRecord
from shared.core.platforms.registry import parse_record
from shared.core.snapshot import CanonicalView, CustomerSnapshot, OrderSnapshot, ProductSnapshot

RecordT = TypeVar("RecordT", bound=WireRecord)
ViewT = TypeVar("ViewT", Customer, Product, Order)

AnySnapshot = CustomerSnapshot | ProductSnapshot | OrderSnapshot

LINK_FIELDS = frozenset({"entity_id", "customer_entity_id"})
"""Canonical fields Concord sets by linking, never read from or written to a platform."""

Envelope = Callable[[WireObject, bool], WireObject]
"""(fields, creating) -> the request body, e.g. HubSpot's ``{"properties": fields}``."""

_SNAPSHOT_TYPES: Mapping[EntityType, type[AnySnapshot]] = {
    EntityType.CUSTOMER: CustomerSnapshot,
    EntityType.PRODUCT: ProductSnapshot,
    EntityType.ORDER: OrderSnapshot,
}
_VIEW_TYPES: Mapping[EntityType, type[CanonicalView]] = {
    EntityType.CUSTOMER: Customer,
    EntityType.PRODUCT: Product,
    EntityType.ORDER: Order,
}


class AnyEntityMapping(Protocol):
    """What the registry hands out: an :class:`EntityMapping` whatever its record and view types."""

    @property
    def system(self) -> System: ...
    @property
    def entity_type(self) -> EntityType: ...
    @property
    def object_type(self) -> str: ...
    @property
    def represented_fields(self) -> frozenset[str]: ...
    @property
    def writable_fields(self) -> frozenset[str]: ...
    def unrepresentable(self) -> Mapping[str, str]: ...
    def parse(self, payload: Mapping[str, object]) -> WireRecord: ...
    def ref(self, record: WireRecord) -> ExternalRef: ...
    def to_canonical(self, record: WireRecord, ctx: MappingContext) -> CanonicalView: ...
    def to_snapshot(
        self, record: WireRecord, ctx: MappingContext, *, observed_at: datetime, surface: Surface
    ) -> AnySnapshot: ...
    def to_platform_patch(
        self, view: CanonicalView, fields: Iterable[str], ctx: MappingContext
    ) -> WireObject: ...
    def to_platform_create(self, view: CanonicalView, ctx: MappingContext) -> WireObject: ...


@dataclass(frozen=True)
class EntityMapping(Generic[RecordT, ViewT]):
    """How one platform object type holds one canonical entity type.

    Construction checks that ``fields`` declares every canonical field (except link fields)
    exactly once, so a mapping cannot silently forget one. Methods taking a record or view of the
    wrong type raise ``InvalidInput``.
    """

    system: System
    entity_type: EntityType
    object_type: str
    record_type: type[RecordT]
    view_type: type[ViewT]
    fields: tuple[FieldMap[RecordT] | Unrepresentable, ...]
    envelope: Envelope
    _by_field: Mapping[str, FieldMap[RecordT] | Unrepresentable] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = [spec.field for spec in self.fields]
        expected = set(self.view_type.model_fields) - LINK_FIELDS
        duplicates = {name for name in names if names.count(name) > 1}
        if duplicates or set(names) != expected:
            raise ValueError(
                f"{self.system} {self.object_type} mapping: duplicated {sorted(duplicates)}, "
                f"missing {sorted(expected - set(names))}, unknown {sorted(set(names) - expected)}"
            )
        if self.view_type is not _VIEW_TYPES[self.entity_type]:
            raise ValueError(
                f"{self.entity_type} mapping must produce {_VIEW_TYPES[self.entity_type].__name__}"
            )
        object.__setattr__(self, "_by_field", {spec.field: spec for spec in self.fields})

    @property
    def represented_fields(self) -> frozenset[str]:
        """Canonical fields this platform holds (read-only ones included)."""
        return frozenset(spec.field for spec in self.fields if isinstance(spec, FieldMap))

    @property
    def writable_fields(self) -> frozenset[str]:
        """Canonical fields Concord can write to an existing record."""
        return frozenset(
            spec.field for spec in self.fields if isinstance(spec, FieldMap) and spec.write and spec.on_update
        )

    def unrepresentable(self) -> Mapping[str, str]:
        """Fields this platform cannot hold, with the reason."""
        return {spec.field: spec.reason for spec in self.fields if isinstance(spec, Unrepresentable)}

    def parse(self, payload: Mapping[str, object]) -> RecordT:
        """The typed record of a payload; raises ``InvalidInput`` naming system, object type and error."""
        record = parse_record(self.system, self.object_type, payload)
        return self._own_record(record)

    def ref(self, record: WireRecord) -> ExternalRef:
        """The record's reference (``system:object_type:id``)."""
        return ExternalRef(system=self.system, object_type=self.object_type, external_id=record.external_id())

    def to_canonical(self, record: WireRecord, ctx: MappingContext) -> ViewT:
        """The record as a canonical view (``entity_id`` None); unrepresentable fields stay unset."""
        own = self._own_record(record)
        values = {spec.field: spec.read(own, ctx) for spec in self.fields if isinstance(spec, FieldMap)}
        try:
            return self.view_type.model_validate(values)
        except ValidationError as error:
            raise InvalidInput(f"{self.system} {self.object_type} {own.external_id()}: {error}") from error

    def to_snapshot(
        self, record: WireRecord, ctx: MappingContext, *, observed_at: datetime, surface: Surface
    ) -> AnySnapshot:
        """The record as a snapshot: canonical values, represented fields, source version and time."""
        snapshot_type = _SNAPSHOT_TYPES[self.entity_type]
        own = self._own_record(record)
        return snapshot_type.model_validate(
            {
                "ref": self.ref(record),
                "represented": frozenset(
                    spec.field
                    for spec in self.fields
                    if isinstance(spec, FieldMap) and (spec.stated is None or spec.stated(own))
                ),
                "source_version": record.source_version(),
                "source_updated_at": record.source_updated_at(),
                "observed_at": observed_at,
                "surface": surface,
                "deleted": record.is_deleted(),
                "values": self.to_canonical(record, ctx),
            }
        )

    def to_platform_patch(
        self, view: CanonicalView, fields: Iterable[str], ctx: MappingContext
    ) -> WireObject:
        """The update body writing exactly ``fields`` of ``view`` in the platform's own format.

        Raises ``FieldNotWritable`` for a field the platform cannot hold, computes itself or takes
        only on create, and ``InvalidInput`` for no fields or a value it cannot express.
        """
        own = self._own_view(view)
        body: WireObject = {}
        for name in sorted(set(fields)):
            spec = self._spec(name)
            if spec.write is None or not spec.on_update:
                raise FieldNotWritable(
                    name, f"{self.system} {self.object_type} does not let Concord update it"
                )
            _merge(body, spec.write(getattr(own, name), ctx), name)
        if not body:
            raise InvalidInput("a patch needs at least one field")
        return self.envelope(body, False)

    def to_platform_create(self, view: CanonicalView, ctx: MappingContext) -> WireObject:
        """The create body holding every writable field ``view`` has a value for.

        References the mapping cannot know (NetSuite ``entity`` and item ids, HubSpot associations)
        are the syncer's to add after resolving links.
        """
        own = self._own_view(view)
        body: WireObject = {}
        for spec in self.fields:
            if isinstance(spec, FieldMap) and spec.write is not None:
                value = getattr(own, spec.field)
                if value is not None and value != ():
                    _merge(body, spec.write(value, ctx), spec.field)
        return self.envelope(body, True)

    def _spec(self, name: str) -> FieldMap[RecordT]:
        spec = self._by_field.get(name)
        if spec is None:
            raise FieldNotWritable(name, f"not a canonical {self.entity_type} field")
        if isinstance(spec, Unrepresentable):
            raise FieldNotWritable(name, spec.reason)
        return spec

    def _own_record(self, record: WireRecord) -> RecordT:
        if not isinstance(record, self.record_type):
            raise InvalidInput(f"{self.system} {self.object_type} mapping got a {type(record).__name__}")
        return record

    def _own_view(self, view: CanonicalView) -> ViewT:
        if not isinstance(view, self.view_type):
            raise InvalidInput(f"{self.entity_type} mapping got a {type(view).__name__}")
        return view


def _merge(body: WireObject, fragment: WireObject, field_name: str) -> None:
    clash = body.keys() & fragment.keys()
    if clash:
        raise InvalidInput(f"{field_name} writes {sorted(clash)}, already written by another field")
    body.update(fragment)
