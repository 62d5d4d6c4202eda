"""The generic check most dimensions are: compare some canonical fields across platforms."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.core.checks.base import EntitySnapshots
from shared.core.checks.fields import FieldDiff, FieldSpec, compare_field
from shared.core.checks.report import field_finding
from shared.core.findings import Finding
from shared.core.model import EntityType
from shared.core.policy.model import Policy


@dataclass(frozen=True)
class FieldConsistencyCheck:
    """Compares ``specs`` of one entity type; one finding for all disagreeing fields, or none.

    Implements :class:`shared.core.checks.base.ConsistencyCheck`. An entity of another type gets no
    finding.
    """

    name: str
    dimension: str
    entity_type: EntityType
    specs: tuple[FieldSpec, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        """The canonical fields compared, in order."""
        return tuple(spec.field for spec in self.specs)

    def evaluate(self, entity: EntitySnapshots, policy: Policy, now: datetime) -> Sequence[Finding]:
        """The finding for this dimension of ``entity``, if its platforms disagree."""
        if entity.entity_type is not self.entity_type:
            return ()
        diffs = self.diffs(entity, policy, now)
        if not diffs:
            return ()
        finding = field_finding(
            check=self.name,
            dimension=self.dimension,
            entity_id=entity.entity_id,
            entity_type=entity.entity_type,
            diffs=diffs,
            policy=policy,
            now=now,
        )
        return (finding,)

    def diffs(self, entity: EntitySnapshots, policy: Policy, now: datetime) -> list[FieldDiff]:
        """The per-field disagreements, in ``specs`` order."""
        found = (compare_field(entity, policy, now, self.dimension, spec) for spec in self.specs)
        return [diff for diff in found if diff is not None]


def field_check(
    name: str, entity_type: EntityType, *fields: str, dimension: str | None = None
) -> FieldConsistencyCheck:
    """A check comparing canonical ``fields`` as they are; its dimension defaults to its name."""
    return FieldConsistencyCheck(
        name=name,
        dimension=dimension or name,
        entity_type=entity_type,
        specs=tuple(FieldSpec(field) for field in fields),
    )
