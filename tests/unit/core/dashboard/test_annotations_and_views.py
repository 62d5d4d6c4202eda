from datetime import timedelta

from shared.core.dashboard.annotations import Comment, EntityAnnotations
from shared.core.dashboard.entity_view import compare_fields, deep_link, evidence, timeline
from shared.core.dashboard.freshness import age_text, since_text
from shared.core.model import EntityId, System
from tests.unit.core.dashboard.builders import NOW, discrepancy, ref, snapshot


def test_metadata_edits_are_audited_with_before_and_after() -> None:
    notes = EntityAnnotations(entity_id=EntityId("e"))
    notes = notes.with_metadata("tier", "gold", by="olivia", at=NOW).with_metadata(
        "tier", None, by="ann", at=NOW
    )
    assert notes.metadata == {}
    assert [(a.by, a.what, a.before, a.after) for a in notes.audit] == [
        ("olivia", "metadata.tier", None, "gold"), ("ann", "metadata.tier", "gold", None)
    ]  # fmt: skip


def test_comments_are_kept_in_order() -> None:
    notes = EntityAnnotations(entity_id=EntityId("e"))
    for text in ("one", "two"):
        notes = notes.commented(Comment(at=NOW, by="o", dimension="d", text=text))
    assert [c.text for c in notes.comments] == ["one", "two"]


def test_fields_that_differ_between_platforms_are_marked() -> None:
    rows = compare_fields(
        [snapshot(System.HUBSPOT, "1", "a@x.example"), snapshot(System.NETSUITE, "2", "B@x.example")]
    )
    by_field = {row.field: row for row in rows}
    assert by_field["email"].differs and not by_field["first_name"].differs
    assert by_field["email"].values == {System.HUBSPOT: "a@x.example", System.NETSUITE: "B@x.example"}


def test_evidence_gives_freshness_confidence_and_the_owner() -> None:
    found = discrepancy(1)
    rows = evidence([snapshot(System.HUBSPOT, "h1", "c1@acme.example")], found.finding, NOW)
    assert (rows[0].observed, rows[0].source_updated, rows[0].confidence, rows[0].owner) == (
        "5 min ago",
        "3 h ago",
        0.9,
        True,
    )


def test_deep_links_fill_the_configured_template() -> None:
    templates = {System.SHOPIFY: "https://admin.example/{object_type}/{external_id}"}
    assert deep_link(templates, ref(System.SHOPIFY, "42")) == "https://admin.example/customer/42"
    assert deep_link(templates, ref(System.HUBSPOT, "42")) is None


def test_the_timeline_puts_the_newest_event_first() -> None:
    events = timeline(
        [discrepancy(1, opened=NOW - timedelta(hours=1))], [], [snapshot(System.HUBSPOT, "h1", "a@x.example")]
    )
    assert [e.what.split(" ")[0] for e in events] == ["observed", "opened"]


def test_ages_read_in_the_largest_whole_unit() -> None:
    assert [age_text(s) for s in (5, 125, 7200, 3 * 86400, None)] == ["5 s", "2 min", "2 h", "3 d", "unknown"]
    assert since_text(None, NOW) == "unknown"
