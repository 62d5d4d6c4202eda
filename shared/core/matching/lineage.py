"""Merge lineage: which platform records were merged away, and into which survivor.

HubSpot merges contacts (a merge event names ``primaryObjectId`` and ``mergedObjectIds``) and NetSuite
merges duplicate records. The merged-away id never comes back, but late events about it still
arrive; resolving them through the lineage attributes them to the survivor.
"""

from collections.abc import Iterable
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.core.errors import InvalidInput
from shared.core.model import ExternalRef


class MergeCycleError(InvalidInput):
    """Recording a merge would make a record its own survivor (A -> B, B -> A)."""


class MergeConflictError(InvalidInput):
    """A record already merged away into one survivor is reported merged into another."""


class MergeLineage(BaseModel):
    """Merged-away record key -> the survivor it was merged into, exactly as each merge reported it.

    Edges are kept as recorded (the audit of what each platform said); :meth:`resolve` follows a
    chain to its end (A -> B and B -> C resolve A to C). The value is immutable: recording returns a
    new lineage. Construction (also from storage) rejects cycles and cross-platform edges.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    merged_into: dict[str, ExternalRef] = Field(default_factory=dict)
    """Key: :attr:`ExternalRef.key` of the merged-away record."""

    @model_validator(mode="after")
    def _acyclic_and_same_platform(self) -> Self:
        for key, survivor in self.merged_into.items():
            _check_same_collection(ExternalRef.parse(key), survivor)
            self._follow(key)
        return self

    def record(self, survivor: ExternalRef, merged_away: Iterable[ExternalRef]) -> "MergeLineage":
        """The lineage with ``merged_away`` records merged into ``survivor``.

        Idempotent: re-recording a known merge changes nothing, and ``survivor`` listed among
        ``merged_away`` (as some merge events do) is skipped. Raises :class:`MergeCycleError` if the
        survivor itself resolves to one of the merged-away records, :class:`MergeConflictError` if a
        record was already merged into a different survivor, and :class:`InvalidInput` for records of
        different platforms or object types.
        """
        edges = dict(self.merged_into)
        for ref in merged_away:
            if ref == survivor:
                continue
            _check_same_collection(ref, survivor)
            known = edges.get(ref.key)
            if known is not None and known != survivor:
                raise MergeConflictError(f"{ref.key} was merged into {known.key}, not {survivor.key}")
            edges[ref.key] = survivor
        return MergeLineage(merged_into=edges)

    def resolve(self, ref: ExternalRef) -> ExternalRef:
        """The record that now stands for ``ref``: its final survivor, or ``ref`` itself if never merged."""
        return self._follow(ref.key)[-1]

    def chain(self, ref: ExternalRef) -> tuple[ExternalRef, ...]:
        """``ref`` followed by every survivor it was merged into, in order (for explanations)."""
        return tuple(self._follow(ref.key))

    def is_merged_away(self, ref: ExternalRef) -> bool:
        """Whether ``ref`` was merged into another record."""
        return ref.key in self.merged_into

    def _follow(self, key: str) -> list[ExternalRef]:
        path = [ExternalRef.parse(key)]
        visited = {key}
        while (survivor := self.merged_into.get(path[-1].key)) is not None:
            if survivor.key in visited:
                loop = " -> ".join([*(ref.key for ref in path), survivor.key])
                raise MergeCycleError(f"merge lineage has a cycle: {loop}")
            visited.add(survivor.key)
            path.append(survivor)
        return path


def _check_same_collection(merged_away: ExternalRef, survivor: ExternalRef) -> None:
    if (merged_away.system, merged_away.object_type) != (survivor.system, survivor.object_type):
        raise InvalidInput(f"cannot merge {merged_away.key} into {survivor.key}: different platform records")
