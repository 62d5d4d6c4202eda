"""The chaos verdict: losses, records behind, duplicate episodes, double writes and unfinished commands."""

from hypothesis import given
from hypothesis import strategies as st

from chaos.ground_truth import (
    CommandRow,
    EpisodeRow,
    RecordState,
    SentEdit,
    command_figures,
    duplicate_episodes,
    judge,
    observation_figures,
    write_figures,
)

V1 = "2026-11-28T10:00:01.000000Z"
V2 = "2026-11-28T10:00:02.000000Z"
V3 = "2026-11-28T10:00:03.000000Z"
KEY = "shopify:customers:7045610060001"
OTHER = "netsuite:customer:101"


def applied(command_id: str, *keys: str) -> CommandRow:
    return CommandRow(command_id, "applied", final=True, results_published=True, written_keys=keys)


def clean_run(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "sent": [SentEdit(KEY, V1, emitted=True), SentEdit(KEY, V2, emitted=False)],
        "truth": {KEY: RecordState(V2, "Silent1"), OTHER: RecordState(V3, "Command0")},
        "stored": {KEY: RecordState(V2, "Silent1"), OTHER: RecordState(V3, "Command0")},
        "episodes": [EpisodeRow("ent_1", "customer_contact", "field_equality", "open")],
        "commands": [applied("cmd-1", OTHER)],
        "issued": ["cmd-1"],
        "write_counts": {OTHER: 1},
    }
    return {**values, **overrides}


def test_a_run_matching_the_ground_truth_everywhere_passes() -> None:
    verdict = judge(**clean_run())

    assert verdict.passed, verdict.failures
    assert (verdict.observations.sent, verdict.observations.observed) == (2, 2)
    assert (verdict.writes.expected, verdict.writes.made) == (1, 1)


def test_edits_newer_than_the_stored_snapshot_are_lost_and_the_record_is_behind() -> None:
    figures = observation_figures(
        [SentEdit(KEY, V1, emitted=True), SentEdit(KEY, V2, emitted=False), SentEdit(KEY, V3, emitted=True)],
        {KEY: RecordState(V3, "Webhook2")},
        {KEY: RecordState(V1, "Webhook0")},
    )

    assert (figures.observed, figures.lost, figures.records_behind) == (1, 2, 1)
    assert (figures.sent_with_webhook, figures.sent_silently) == (2, 1)


def test_a_record_never_stored_loses_every_edit_made_to_it() -> None:
    figures = observation_figures([SentEdit(KEY, V1, emitted=True)], {KEY: RecordState(V1, "A")}, {})

    assert (figures.lost, figures.records_behind) == (1, 1)


def test_a_stored_snapshot_at_the_right_version_with_another_value_is_behind_but_loses_no_edit() -> None:
    figures = observation_figures(
        [SentEdit(KEY, V1, emitted=True)], {KEY: RecordState(V1, "Right")}, {KEY: RecordState(V1, "Wrong")}
    )

    assert (figures.lost, figures.records_behind) == (0, 1)


def test_a_concord_write_not_read_back_leaves_its_record_behind() -> None:
    verdict = judge(**clean_run(stored={KEY: RecordState(V2, "Silent1"), OTHER: RecordState(V1, "Before")}))

    assert verdict.failures == ["1 records whose stored snapshot is not the sandbox's state"]


def test_two_open_episodes_of_one_entity_dimension_and_check_are_a_duplicate() -> None:
    rows = [
        EpisodeRow("ent_1", "customer_contact", "field_equality", "open"),
        EpisodeRow("ent_1", "customer_contact", "field_equality", "open"),
        EpisodeRow("ent_1", "customer_contact", "field_equality", "resolved"),
        EpisodeRow("ent_1", "presence", "field_equality", "open"),
        EpisodeRow("ent_2", "customer_contact", "field_equality", "open"),
    ]

    assert duplicate_episodes(rows) == {("ent_1", "customer_contact", "field_equality"): 2}
    assert judge(**clean_run(episodes=rows)).duplicated_discrepancies == 1


def test_resolved_episodes_of_the_same_key_are_history_not_duplicates() -> None:
    rows = [
        EpisodeRow("ent_1", "presence", "presence", status) for status in ("resolved", "resolved", "open")
    ]

    assert duplicate_episodes(rows) == {}


def test_more_writes_in_the_sandbox_than_the_syncer_reports_are_double_writes() -> None:
    figures = write_figures([applied("cmd-1", OTHER)], {OTHER: 2})

    assert (figures.expected, figures.made, figures.double_writes, figures.missing_writes) == (1, 2, 1, 0)
    assert figures.mismatches == (f"{OTHER}: expected 1, made 2",)


def test_a_write_the_syncer_reports_but_the_sandbox_never_saw_is_missing() -> None:
    figures = write_figures([applied("cmd-1", OTHER, KEY)], {OTHER: 1})

    assert (figures.double_writes, figures.missing_writes) == (0, 1)


def test_a_write_nobody_reports_is_a_double_write() -> None:
    assert write_figures([], {KEY: 1}).double_writes == 1


def test_commands_missing_unfinished_or_unpublished_are_not_final() -> None:
    rows = [
        applied("cmd-1", OTHER),
        CommandRow("cmd-2", "failed", final=False, results_published=False),
        CommandRow("cmd-3", "rejected", final=True, results_published=False),
        CommandRow("cmd-4", "rejected", final=True, results_published=True),
    ]

    figures = command_figures(["cmd-1", "cmd-2", "cmd-3", "cmd-4", "cmd-5"], rows)

    assert (figures.issued, figures.final) == (5, 2)
    assert figures.by_state == {"applied": 1, "failed": 1, "missing": 1, "rejected": 2}
    assert figures.not_final == ("cmd-2: failed", "cmd-3: rejected", "cmd-5: missing")


def test_commands_the_load_did_not_issue_do_not_count_as_issued() -> None:
    assert command_figures([], [applied("cmd-1", OTHER)]).issued == 0


@given(st.lists(st.sampled_from([V1, V2, V3]), min_size=1), st.sampled_from([V1, V2, V3]))
def test_an_edit_is_observed_exactly_when_the_stored_version_is_at_or_after_it(
    versions: list[str], stored_version: str
) -> None:
    sent = [SentEdit(KEY, version, emitted=True) for version in versions]

    figures = observation_figures(sent, {}, {KEY: RecordState(stored_version, None)})

    assert figures.observed == sum(1 for version in versions if version <= stored_version)
    assert figures.observed + figures.lost == len(versions)
