"""Acceptance (issue 6): an out-of-band sandbox edit that emits no event is found by a pulse within its
configured cadence, and the finding says no event reported it — across Kafka, all services running.

PENDING: needs ingest's refresh subscriber (``services/ingest/refresh.py`` is written, not yet wired
into ``services/ingest/app.py``) and the checker's link/evaluate stages (``services/checker/link.py``,
``evaluate.py``, wired in ``services/checker/app.py``). Until then ``test_passive_drift.py`` covers
the same path without the Kafka hops. Steps once they exist:

1. sandbox + ingest app (refresh subscriber, HubSpot connector on the sandbox) + checker app (link,
   evaluate, pulse with ``sweep_interval_seconds`` 1), all on the per-test topic prefix;
2. create a HubSpot contact with ``emit=true`` and wait until the checker has linked it and stored
   check state for ``customer_contact``;
3. edit the contact's email through ``/_admin/edit`` with ``emit=false``; move the pair's
   ``last_verified_at`` back by one cadence;
4. within the cadence (one sweep), read ``EntityChanged(passive=True, missed_surface=webhook)`` from
   the entity-change topic and the discrepancy events whose explanation says no webhook reported it.
"""

import importlib.util

import pytest

_PIECES = ("services.checker.link", "services.checker.evaluate")
_MISSING = [name for name in _PIECES if importlib.util.find_spec(name) is None]


@pytest.mark.skip(
    reason=f"pending: ingest refresh subscriber and checker stages ({', '.join(_MISSING) or 'wiring'})"
)
async def test_out_of_band_edit_is_reported_as_passive_drift_through_every_service() -> None:
    raise AssertionError("written when the ingest refresh subscriber and the checker stages are wired")
