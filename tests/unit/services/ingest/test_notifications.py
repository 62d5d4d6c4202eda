"""What a webhook means: a Shopify payload is dated by when it triggered, not when it arrived."""

import json
from datetime import UTC, datetime, timedelta

from services.ingest.notifications import interpret
from shared.core.events import RawNotificationReceived, RecordObserved, first_in_chain
from shared.core.model import ExternalRef, System

TRIGGERED = datetime(2026, 11, 28, 10, 0, 0, 250_000, tzinfo=UTC)


def _shopify_update(*, triggered_at: str | None, received_at: datetime) -> RawNotificationReceived:
    headers = {"x-shopify-topic": "customers/update", "x-shopify-webhook-id": "wh-1"}
    if triggered_at is not None:
        headers["x-shopify-triggered-at"] = triggered_at
    body = {"id": 7001, "email": "jane@acme.example", "updated_at": "2026-11-28T10:00:00Z"}
    return RawNotificationReceived(
        **first_in_chain(producer="ingest", produced_at=received_at, message_id="raw-1"),
        system=System.SHOPIFY, topic="customers/update", delivery_id="wh-1", event_index=0,
        received_at=received_at, headers=headers, body=json.dumps(body),
        ref=ExternalRef(system=System.SHOPIFY, object_type="customers", external_id="7001"),
    )  # fmt: skip


def _observed_at(raw: RawNotificationReceived, now: datetime) -> datetime:
    (observation,) = interpret(raw, now=now)
    assert isinstance(observation, RecordObserved)
    return observation.observed_at


def test_a_late_shopify_delivery_ranks_below_a_poll_that_read_the_same_second_after_it_triggered() -> None:
    # Delivered 9 s late (a retry, or a queue): the record it carries is the one of 10:00:00.25; a poll
    # that read the same updated_at (whole seconds) at 10:00:00.80 read a later state and must win.
    arrived = TRIGGERED + timedelta(seconds=9)
    raw = _shopify_update(triggered_at="2026-11-28T10:00:00.250000123Z", received_at=arrived)

    assert _observed_at(raw, arrived) == TRIGGERED


def test_without_a_trigger_time_or_with_one_from_the_future_the_payload_is_dated_when_it_arrived() -> None:
    arrived = TRIGGERED + timedelta(seconds=9)
    assert _observed_at(_shopify_update(triggered_at=None, received_at=arrived), arrived) == arrived
    ahead = _shopify_update(triggered_at="2026-11-28T10:05:00.000000000Z", received_at=arrived)  # skew
    assert _observed_at(ahead, arrived) == arrived
