import pytest

from shared.core.errors import InvalidInput
from shared.core.matching import MergeConflictError, MergeCycleError, MergeLineage
from shared.core.model import ExternalRef, System


def contact(external_id: str) -> ExternalRef:
    return ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id=external_id)


A, B, C, D = contact("1"), contact("2"), contact("3"), contact("4")


@pytest.mark.parametrize(
    ("merges", "asked", "survivor"),
    [
        ([], A, A),
        ([(B, [A])], A, B),
        ([(B, [A])], B, B),
        ([(B, [A]), (C, [B])], A, C),
        ([(C, [B]), (B, [A])], A, C),
        ([(D, [A, B, C])], B, D),
        ([(B, [A]), (C, [B]), (D, [C])], A, D),
        ([(B, [A, B])], A, B),
    ],
    ids=[
        "never merged",
        "merged once",
        "survivor stays",
        "chain resolves to the end",
        "chain recorded backwards",
        "hubspot merge of many",
        "long chain",
        "survivor listed among merged ids",
    ],
)
def test_merged_away_refs_resolve_to_their_final_survivor(
    merges: list[tuple[ExternalRef, list[ExternalRef]]], asked: ExternalRef, survivor: ExternalRef
) -> None:
    lineage = MergeLineage()
    for into, merged in merges:
        lineage = lineage.record(into, merged)

    assert lineage.resolve(asked) == survivor


def test_chain_lists_every_step_for_explanations() -> None:
    lineage = MergeLineage().record(B, [A]).record(C, [B])

    assert lineage.chain(A) == (A, B, C)
    assert lineage.chain(D) == (D,)
    assert lineage.is_merged_away(A)
    assert not lineage.is_merged_away(C)


@pytest.mark.parametrize(
    "merges",
    [[(A, [B]), (B, [A])], [(B, [A]), (C, [B]), (A, [C])]],
    ids=["two records", "three records"],
)
def test_a_merge_closing_a_cycle_is_refused_with_the_loop_named(
    merges: list[tuple[ExternalRef, list[ExternalRef]]],
) -> None:
    lineage = MergeLineage()
    *first, last = merges
    for into, merged in first:
        lineage = lineage.record(into, merged)

    with pytest.raises(MergeCycleError, match="cycle: hubspot:contacts:"):
        lineage.record(*last)


def test_recording_the_same_merge_twice_is_idempotent() -> None:
    once = MergeLineage().record(B, [A])

    assert once.record(B, [A]) == once


def test_a_record_merged_into_two_survivors_is_refused() -> None:
    with pytest.raises(MergeConflictError, match="merged into hubspot:contacts:2"):
        MergeLineage().record(B, [A]).record(C, [A])


def test_records_of_different_platforms_cannot_merge() -> None:
    netsuite = ExternalRef(system=System.NETSUITE, object_type="customer", external_id="1")

    with pytest.raises(InvalidInput, match="different platform records"):
        MergeLineage().record(netsuite, [A])


def test_a_stored_lineage_round_trips_and_a_stored_cycle_is_rejected() -> None:
    lineage = MergeLineage().record(B, [A]).record(C, [B])

    assert MergeLineage.model_validate_json(lineage.model_dump_json()) == lineage
    with pytest.raises(MergeCycleError):
        MergeLineage.model_validate({"merged_into": {A.key: B.model_dump(), B.key: A.model_dump()}})


def test_recording_leaves_the_original_lineage_unchanged() -> None:
    empty = MergeLineage()

    empty.record(B, [A])

    assert empty.resolve(A) == A
