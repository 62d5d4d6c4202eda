"""Hypothesis strategies shared by the event tests."""

from datetime import UTC, datetime

from hypothesis import strategies as st

# Hypothesis bounds datetimes with naive values and attaches the time zone itself.
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
"""Aware UTC datetimes over a century."""
