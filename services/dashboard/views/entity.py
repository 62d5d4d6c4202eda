"""The entity view: values side by side, freshness and trust per record, verification, timeline,
operator metadata. Keys: ``entity_id_input``, ``entity_load``, ``entity_open_survivor`` (a merged
entity's "Open <survivor>"), ``metadata_key``, ``metadata_value``, ``metadata_save``. Differing fields
are marked "≠" in the ``differs`` column and highlighted."""

import streamlit as st

from services.dashboard.auth import SignedIn
from services.dashboard.runtime import Runtime
from services.dashboard.service import utc_now
from services.dashboard.settings import DashboardSettings
from services.dashboard.views.actions import render_actions
from services.dashboard.views.inbox import ENTITY_KEY
from shared.adapters.mongo.dashboard import EntityRecords
from shared.core.dashboard.access import AccessDenied
from shared.core.dashboard.annotations import EntityAnnotations
from shared.core.dashboard.entity_view import compare_fields, deep_link, evidence, timeline
from shared.core.dashboard.freshness import since_text
from shared.core.errors import ConcordError
from shared.core.model import EntityId

ENTITY_INPUT_KEY = "entity_id_input"


def render_entity(runtime: Runtime, settings: DashboardSettings, user: SignedIn) -> None:
    """Render the entity chosen in the inbox (or typed in, or given as ``?entity=`` in the URL)."""
    st.header("Entity")
    typed = st.text_input("Entity id", value=st.session_state.get(ENTITY_KEY, ""), key=ENTITY_INPUT_KEY)
    if typed and typed != st.session_state.get(ENTITY_KEY):
        st.session_state[ENTITY_KEY] = typed
    entity_id = st.session_state.get(ENTITY_KEY)
    if not entity_id:
        st.info("Open an entity from the inbox, or type its id.")
        return
    records = runtime.portal.call(runtime.service.ports.reader.entity(EntityId(entity_id)))
    if records.merged_into is not None:
        _merged(records.entity_id, records.merged_into)
    if not records.links and not records.discrepancies:
        st.warning(f"No entity {entity_id} is stored.")
        return
    notes = runtime.portal.call(runtime.service.ports.annotations.load(EntityId(entity_id)))
    _values(records)
    _evidence(records, settings)
    _verification(records)
    render_actions(runtime, user, records, notes)
    _metadata(runtime, user, notes)
    _timeline(records)


def _merged(entity_id: EntityId, survivor: EntityId) -> None:
    """A merged entity keeps its history here; its records and anything open now live on the survivor."""
    st.info(f"{entity_id} was merged into {survivor}: its records, and anything still open, are there now.")
    st.button(f"Open {survivor}", key="entity_open_survivor", on_click=_open, args=(survivor,))


def _open(entity_id: EntityId) -> None:
    # A click callback runs before the next run, so it may still set the id input's own state.
    st.session_state[ENTITY_KEY] = entity_id
    st.session_state[ENTITY_INPUT_KEY] = entity_id


def _values(records: EntityRecords) -> None:
    st.subheader("Values side by side")
    systems = sorted({s.ref.system for s in records.snapshots if not s.deleted})
    rows = [
        {
            "field": row.field,
            **{s.value: row.values.get(s) for s in systems},
            "differs": "≠" if row.differs else "",
        }
        for row in compare_fields(records.snapshots)
    ]
    st.dataframe(rows, hide_index=True, key="entity_values")
    differing = [row["field"] for row in rows if row["differs"]]
    if differing:
        st.markdown("Differing fields: " + ", ".join(f":red[**{name}**]" for name in differing))


def _evidence(records: EntityRecords, settings: DashboardSettings) -> None:
    st.subheader("Records and freshness")
    open_now = [d for d in records.discrepancies if d.is_open]
    finding = open_now[0].finding if open_now else None
    rows = [e.model_dump(mode="json") for e in evidence(records.snapshots, finding, utc_now())]
    st.dataframe(rows, hide_index=True, key="entity_evidence")
    for link in records.links:
        url = deep_link(settings.url_templates, link.ref)
        label = f"{link.ref.key} (linked by {link.method}, confidence {link.confidence:.2f})"
        st.markdown(f"- [{label}]({url})" if url else f"- {label}")
    for proposal in records.proposals:
        st.markdown(
            f"- proposed link: {proposal.ref.key} ({proposal.confidence:.2f}): {proposal.explanation}"
        )


def _verification(records: EntityRecords) -> None:
    st.subheader("Verification per dimension")
    now = utc_now()
    rows = [
        {"dimension": s.dimension, "last verified": since_text(s.last_verified_at, now),
         "outcome": s.outcome.value, "priority override": s.priority_override}
        for s in records.states
    ]  # fmt: skip
    st.dataframe(rows, hide_index=True, key="entity_verification")
    for d in (d for d in records.discrepancies if d.is_open):
        st.markdown(
            f"**{d.dimension}** ({d.finding.kind.value}, revision {d.revision}): {d.finding.explanation}"
        )
        st.caption(
            f"Owner: {d.finding.verdict.owner or 'operator decides'} · policy {d.finding.verdict.policy}"
        )


def _metadata(runtime: Runtime, user: SignedIn, notes: EntityAnnotations) -> None:
    st.subheader("Operator metadata")
    st.dataframe([{"attribute": k, "value": v} for k, v in notes.metadata.items()], hide_index=True)
    left, right = st.columns(2)
    key = left.text_input("Attribute", key="metadata_key")
    value = right.text_input("Value (empty removes)", key="metadata_value")
    if st.button("Save attribute", key="metadata_save") and key:
        try:
            runtime.portal.call(runtime.service.set_metadata(user, notes.entity_id, key, value or None))
            st.success(f"Saved {key}.")
        except (AccessDenied, ConcordError) as error:
            st.error(str(error))
    with st.expander("Audit"):
        st.dataframe([entry.model_dump(mode="json") for entry in reversed(notes.audit)], hide_index=True)
    for comment in notes.comments:
        st.caption(
            f"{comment.by} on {comment.dimension}, {since_text(comment.at, utc_now())}: {comment.text}"
        )


def _timeline(records: EntityRecords) -> None:
    st.subheader("Timeline")
    events = timeline(records.discrepancies, records.commands, records.snapshots)
    st.dataframe([e.model_dump(mode="json") for e in events], hide_index=True, key="entity_timeline")


__all__ = ["render_entity"]
