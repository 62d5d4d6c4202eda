from datetime import timedelta

import pytest
from pydantic import ValidationError

from shared.core.events import RawNotificationReceived, RecordDeleted
from shared.core.model import ExternalRef, System
from tests.unit.core.events.examples import (
    HUBSPOT_REF,
    SHOPIFY_REF,
    T0,
    deletion,
    observation,
    raw_notification,
)


def test_raw_header_names_are_lower_cased() -> None:
    assert raw_notification().headers == {
        "x-hubspot-signature-v3": "c2lnbmF0dXJl",
        "content-type": "application/json",
    }


@pytest.mark.parametrize("header", ["Authorization", "cookie", "X-Api-Key"])
def test_raw_notifications_never_store_credentials(header: str) -> None:
    with pytest.raises(ValidationError, match="credential headers"):
        RawNotificationReceived.model_validate(
            {**raw_notification().model_dump(), "headers": {header: "secret"}}
        )


@pytest.mark.parametrize(
    ("body", "reason"),
    [("not json", "not JSON"), ("[{}, {}]", "one platform event"), ('"text"', "one platform event")],
)
def test_a_raw_body_must_be_the_json_object_of_one_event(body: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        RawNotificationReceived.model_validate({**raw_notification().model_dump(), "body": body})


def test_a_raw_body_is_kept_verbatim() -> None:
    message = raw_notification()

    assert message.model_validate_json(message.model_dump_json()).body == message.body


def test_an_observation_keeps_the_full_platform_record() -> None:
    record = observation().record

    assert record["properties"] == {"email": "ada@example.com", "firstname": "Ada"}


def test_an_observation_rejects_a_record_that_is_not_json() -> None:
    with pytest.raises(ValidationError):
        observation().model_validate({**observation().model_dump(), "record": {"at": T0}})


def test_a_merge_names_the_surviving_record() -> None:
    survivor = ExternalRef(system=System.SHOPIFY, object_type="customers", external_id="7002")

    merged = RecordDeleted.model_validate({**deletion().model_dump(), "merged_into": survivor})

    assert merged.merged_into == survivor


@pytest.mark.parametrize("target", [HUBSPOT_REF, SHOPIFY_REF], ids=["other system", "itself"])
def test_a_record_cannot_merge_into_another_system_or_itself(target: ExternalRef) -> None:
    with pytest.raises(ValidationError, match="another record of the same system"):
        RecordDeleted.model_validate({**deletion().model_dump(), "merged_into": target})


def test_observation_timestamps_keep_their_instant() -> None:
    message = observation()

    assert message.source_updated_at is not None
    assert message.observed_at - message.source_updated_at == timedelta(seconds=2)
