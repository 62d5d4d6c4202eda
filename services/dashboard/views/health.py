"""Health: freshness per platform and poll cursor, consumer lag, pulse backlog, dead letters, failures.

Keys: ``health_refresh``. The pulse backlog is what its last sweep found due and left for later (from
``pulse_sweeps``); the refresh requests not yet served are the lag of that topic's consumers.
"""

import streamlit as st

from services.dashboard.runtime import Runtime
from services.dashboard.service import utc_now
from shared.core.dashboard.freshness import age_seconds, since_text
from shared.core.events.topics import REFRESH_REQUESTED
from shared.core.model import System


def render_health(runtime: Runtime) -> None:
    st.header("Health")
    st.button("Refresh", key="health_refresh")
    reader = runtime.service.ports.reader
    now = utc_now()
    newest = runtime.portal.call(reader.newest_observations(list(System)))
    st.subheader("Freshness per platform")
    st.dataframe(
        [{"platform": s.value, "newest observation": since_text(at, now)} for s, at in newest.items()],
        hide_index=True, key="health_freshness",
    )  # fmt: skip
    st.bar_chart(
        {"platform": [s.value for s in newest], "minutes since newest": [
            round((age_seconds(at, now) or 0.0) / 60, 1) for at in newest.values()]},
        x="platform", y="minutes since newest",
    )  # fmt: skip
    cursors = runtime.portal.call(reader.poll_cursors())
    st.subheader("Poll cursors")
    st.dataframe(
        [{"cursor": c.key, "position": c.position, "advanced": since_text(c.updated_at, now)} for c in cursors],
        hide_index=True, key="health_cursors",
    )  # fmt: skip
    _pulse(runtime)
    _kafka(runtime)
    failures = runtime.portal.call(reader.recent_failures())
    st.subheader("Recent sync failures")
    st.dataframe(
        [{"command": r.command_id, "entity": r.command.entity_id, "state": r.state.value,
          "error": r.last_error, "when": since_text(r.updated_at, now)} for r in failures],
        hide_index=True, key="health_failures",
    )  # fmt: skip


def _pulse(runtime: Runtime) -> None:
    st.subheader("Pulse")
    sweep = runtime.portal.call(runtime.service.ports.reader.last_pulse_sweep())
    if sweep is None:
        st.caption("No pulse sweep recorded yet.")
        return
    due, requested, backlog = st.columns(3)
    due.metric("Due pairs (last sweep)", sweep.due)
    requested.metric("Refreshes requested", sweep.requested)
    backlog.metric("Pulse backlog (due, left for later sweeps)", sweep.backlog)
    spent = ", ".join(f"{system.value} {n}" for system, n in sorted(sweep.spent.items())) or "none"
    st.caption(
        f"Swept {since_text(sweep.swept_at, utc_now())} by {sweep.holder}; {sweep.unlinked} due pair(s) "
        f"without a linked record; API requests spent: {spent}."
    )


def _kafka(runtime: Runtime) -> None:
    kafka = runtime.service.ports.kafka
    if kafka is None:
        st.info("Kafka health is not wired in this deployment.")
        return
    try:
        lags = runtime.portal.call(kafka.lags(), timeout=20)
        dead = runtime.portal.call(kafka.dead_letters(), timeout=20)
    except Exception as error:  # noqa: BLE001  # the health page shows any broker failure instead of dying
        st.error(f"Kafka unreachable: {error}")
        return
    st.subheader("Consumer lag")
    st.dataframe(
        [{"group": lag.group, "topic": lag.topic, "partition": lag.partition, "lag": lag.lag} for lag in lags],
        hide_index=True, key="health_lag",
    )  # fmt: skip
    backlog = sum(lag.lag for lag in lags if lag.topic.endswith(REFRESH_REQUESTED))
    st.metric("Refresh requests not yet served", backlog)
    st.subheader("Dead letters")
    for entry in dead:
        st.markdown(f"**{entry.topic}**: {entry.count} message(s)")
        for reason in entry.latest:
            st.caption(reason)
    if not dead:
        st.caption("No dead letters.")


__all__ = ["render_health"]
