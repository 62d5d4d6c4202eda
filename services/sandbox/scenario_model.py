"""The scenario's inputs and its ground truth: what was created, and which drift was injected where."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.sandbox.scenario_records import Item, Person
from services.sandbox.store import SandboxStore, record_key
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityType, System

OBJECT_TYPES: dict[EntityType, dict[System, str]] = {
    EntityType.CUSTOMER: {
        System.SHOPIFY: "customers",
        System.HUBSPOT: "contacts",
        System.NETSUITE: "customer",
    },
    EntityType.PRODUCT: {
        System.SHOPIFY: "products",
        System.HUBSPOT: "products",
        System.NETSUITE: "inventoryItem",
    },
    EntityType.ORDER: {System.SHOPIFY: "orders", System.HUBSPOT: "deals", System.NETSUITE: "salesOrder"},
}
"""Which platform object type represents each entity type."""

ORDER_SPACING = timedelta(minutes=17)
"""Orders are placed this far apart, from ``ScenarioConfig.start`` on."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScenarioConfig(_Frozen):
    """How much activity to generate, from which seed, and how much drift to inject.

    ``drift`` is the share of customers that get some drift; each of the four kinds gets
    ``max(1, round(drift * customers / 4))`` targets (as many as there are distinct candidates),
    and none when ``drift`` is 0. Missing credit memos are planted on as many refunds of orders in
    NetSuite, at most half of those refunds (at least one). ``start`` is when the business story begins: order times are
    derived from it, never from a clock.
    """

    seed: int = 7
    customers: int = Field(default=12, ge=0, le=2000)
    products: int = Field(default=6, ge=0, le=2000)
    orders: int = Field(default=20, ge=0, le=10_000)
    drift: float = Field(default=0.3, ge=0.0, le=1.0)
    emit: bool = True
    """Whether the scenario's ordinary writes fire webhooks; out-of-band drift never does."""
    start: AwareDatetime = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)

    @model_validator(mode="after")
    def _orders_need_customers_and_products(self) -> Self:
        if self.orders and not (self.customers and self.products):
            raise ValueError("orders need at least one customer and one product")
        return self


class DriftKind(StrEnum):
    """The kinds of disagreement the scenario plants."""

    FORMATTING = "formatting"
    """Same value, different formatting (email case, phone format)."""
    CONFLICT = "conflict"
    """A genuinely different value (another email in NetSuite)."""
    MISSING = "missing"
    """A representation policy expects is absent: a Shopify customer with orders, not in NetSuite
    (``object_type`` ``customer``, and ``salesOrder`` for each of their orders), or a Shopify refund
    with no NetSuite credit memo (``creditMemo``; ``entity`` is the order)."""
    OUT_OF_BAND = "out_of_band"
    """A different value written without any change event (passive drift: only polling finds it)."""


class InjectedDrift(_Frozen):
    """One planted disagreement: where, what changed, and the worst a checker should call it."""

    kind: DriftKind
    entity: str
    system: System
    object_type: str
    record_id: str | None
    """``None`` for a missing representation."""
    field: str | None
    before: str | None = None
    after: str | None = None
    emitted: bool
    expected: DiscrepancyKind


class ScenarioEntity(_Frozen):
    """One business entity and the platform records that represent it (absent ones are not listed)."""

    key: str
    entity_type: EntityType
    natural_key: str
    """Email, SKU or order name."""
    records: dict[System, str]

    def record_keys(self) -> list[str]:
        """``"system:object_type:id"`` of every representation, as the store and write counts name them."""
        types = OBJECT_TYPES[self.entity_type]
        return [
            record_key(system, types[system], record_id) for system, record_id in sorted(self.records.items())
        ]


class ScenarioReport(_Frozen):
    """Everything the run created and planted, in creation order."""

    seed: int
    customers: tuple[ScenarioEntity, ...]
    products: tuple[ScenarioEntity, ...]
    orders: tuple[ScenarioEntity, ...]
    drift: tuple[InjectedDrift, ...]
    fulfilled: tuple[str, ...]
    """Order keys that were fulfilled."""
    refunded: tuple[str, ...]
    """Order keys with a refund in Shopify."""
    credit_memos: dict[str, str] = Field(default_factory=dict)
    """Order key -> internal id of the NetSuite credit memo booking its refund (drift leaves some out)."""
    price_changes: tuple[str, ...]
    """Product keys whose price changed (propagated to all three platforms)."""
    writes: int


@dataclass
class World:
    """The run's working state: facts, the records made so far, and what the report will say."""

    store: SandboxStore
    config: ScenarioConfig
    rng: random.Random
    people: list[Person] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    customers: list[ScenarioEntity] = field(default_factory=list)
    products: list[ScenarioEntity] = field(default_factory=list)
    orders: list[ScenarioEntity] = field(default_factory=list)
    order_customers: list[int] = field(default_factory=list)
    drift: list[InjectedDrift] = field(default_factory=list)
    fulfilled: list[str] = field(default_factory=list)
    refunded: list[str] = field(default_factory=list)
    credit_memos: dict[str, str] = field(default_factory=dict)
    price_changes: list[str] = field(default_factory=list)
    missing_in_netsuite: set[int] = field(default_factory=set)
    silent_prices: set[int] = field(default_factory=set)
    """Products whose NetSuite price drifted out of band (never re-priced afterwards)."""
    silent_phones: list[int] = field(default_factory=list)
    """Customers whose HubSpot phone drifts out of band once everything else is done."""
    writes: int = 0

    def report(self) -> ScenarioReport:
        return ScenarioReport(
            seed=self.config.seed,
            customers=tuple(self.customers),
            products=tuple(self.products),
            orders=tuple(self.orders),
            drift=tuple(self.drift),
            fulfilled=tuple(self.fulfilled),
            refunded=tuple(self.refunded),
            credit_memos=dict(self.credit_memos),
            price_changes=tuple(self.price_changes),
            writes=self.writes,
        )

    async def create(self, system: System, object_type: str, record: dict[str, object]) -> dict[str, object]:
        self.writes += 1
        return await self.store.create(system, object_type, record, emit=self.config.emit, origin="scenario")

    async def update(
        self,
        system: System,
        object_type: str,
        record_id: str,
        changes: dict[str, object],
        *,
        emit: bool = True,
    ) -> dict[str, object]:
        self.writes += 1
        emitted = emit and self.config.emit
        return await self.store.update(
            system, object_type, record_id, changes, emit=emitted, origin="scenario"
        )

    async def get(self, system: System, object_type: str, record_id: str) -> dict[str, object]:
        record = await self.store.get(system, object_type, record_id)
        if record is None:  # only ids the run itself created are read back
            raise KeyError(record_key(system, object_type, record_id))
        return record
