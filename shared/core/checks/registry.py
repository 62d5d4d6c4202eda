"""The registry of consistency checks, and the one place where built-in checks are registered.

Adding a check: write one module in ``shared/core/checks/builtin/`` exposing ``CHECKS``, and add one
line to :data:`_BUILTIN_MODULES` below. A test fails on a module that is not listed and on a duplicate
check name.
"""

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from types import ModuleType

from shared.core.checks.base import ConsistencyCheck, EntitySnapshots
from shared.core.checks.builtin import (
    customer_account,
    customer_contact,
    deal_amount,
    order_status,
    order_totals,
    presence,
    product_catalog,
    product_inventory,
    product_pricing,
    refund_credit_memo,
)
from shared.core.errors import ConcordError
from shared.core.findings import Finding
from shared.core.model import EntityType
from shared.core.policy.model import Policy

_BUILTIN_MODULES: tuple[ModuleType, ...] = (
    presence,
    customer_contact,
    customer_account,
    product_catalog,
    product_pricing,
    product_inventory,
    order_status,
    order_totals,
    deal_amount,
    refund_credit_memo,
)


class DuplicateCheckError(ConcordError, ValueError):
    """Two checks share a name, or two checks of one entity type share a dimension."""


def builtin_checks() -> tuple[ConsistencyCheck, ...]:
    """Every check shipped with Concord, in registration order."""
    checks: list[ConsistencyCheck] = []
    for module in _BUILTIN_MODULES:
        checks += module.CHECKS
    return tuple(checks)


class CheckRegistry:
    """Checks by name; evaluates the ones that apply to an entity.

    One check per (entity type, dimension), so that a discrepancy has exactly one producer.
    """

    def __init__(self, checks: Iterable[ConsistencyCheck] = ()) -> None:
        self._checks: dict[str, ConsistencyCheck] = {}
        for check in checks:
            self.register(check)

    def register(self, check: ConsistencyCheck) -> None:
        """Add ``check``; raises :class:`DuplicateCheckError` on a taken name or dimension."""
        if check.name in self._checks:
            raise DuplicateCheckError(f"a check named {check.name!r} is already registered")
        if check.dimension in self.dimensions(check.entity_type):
            raise DuplicateCheckError(f"{check.entity_type.value}.{check.dimension} already has a check")
        self._checks[check.name] = check

    @property
    def names(self) -> tuple[str, ...]:
        """Registered check names, in registration order."""
        return tuple(self._checks)

    def get(self, name: str) -> ConsistencyCheck:
        """The check called ``name``; raises ``KeyError``."""
        return self._checks[name]

    def dimensions(self, entity_type: EntityType) -> frozenset[str]:
        """The dimensions checked for an entity type."""
        return frozenset(c.dimension for c in self._checks.values() if c.entity_type is entity_type)

    def for_entity(
        self, entity_type: EntityType, dimensions: Collection[str] | None = None
    ) -> tuple[ConsistencyCheck, ...]:
        """The checks of ``entity_type``, restricted to ``dimensions`` when given."""
        return tuple(
            check
            for check in self._checks.values()
            if check.entity_type is entity_type and (dimensions is None or check.dimension in dimensions)
        )

    def evaluate(
        self,
        entity: EntitySnapshots,
        policy: Policy,
        now: datetime,
        dimensions: Collection[str] | None = None,
    ) -> Sequence[Finding]:
        """All findings of the entity's checks (restricted to ``dimensions`` when given)."""
        return tuple(
            finding
            for check in self.for_entity(entity.entity_type, dimensions)
            for finding in check.evaluate(entity, policy, now)
        )


def default_registry() -> CheckRegistry:
    """A registry holding the built-in checks."""
    return CheckRegistry(builtin_checks())
