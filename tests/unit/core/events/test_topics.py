import re
import typing

import pytest

from shared.core.errors import InvalidInput
from shared.core.events import (
    DEAD_LETTER_SUFFIX,
    TOPIC_OF_TYPE,
    AnyMessage,
    DiscrepancyResolved,
    MessageType,
    RawNotificationReceived,
    RecordDeleted,
    RecordObserved,
    RefreshRequested,
    all_topics,
    dead_letter_topic,
    message_types_on,
    partition_key,
    prefixed,
    route,
    topic_for,
)
from tests.unit.core.events.examples import ENTITY, HUBSPOT_REF, SHOPIFY_REF, every_message, raw_notification

TOPIC_SCHEME = re.compile(r"^concord(\.[a-z]+)+\.v[0-9]+$")


def test_every_message_type_has_a_topic() -> None:
    assert set(TOPIC_OF_TYPE) == set(typing.get_args(MessageType))


@pytest.mark.parametrize("name", sorted(set(TOPIC_OF_TYPE.values())))
def test_topic_names_follow_one_versioned_scheme(name: str) -> None:
    assert TOPIC_SCHEME.match(name)


def test_every_topic_is_provisioned_with_its_dead_letter_topic() -> None:
    topics = all_topics()
    main = [topic for topic in topics if not topic.endswith(DEAD_LETTER_SUFFIX)]

    assert set(main) == set(TOPIC_OF_TYPE.values())
    assert set(topics) == set(main) | {f"{topic}.dlq" for topic in main}


def test_the_dead_letter_topic_is_the_name_plus_dlq() -> None:
    assert dead_letter_topic("concord.sync.results.v1") == "concord.sync.results.v1.dlq"


def test_a_dead_letter_topic_has_no_dead_letter_topic_of_its_own() -> None:
    with pytest.raises(InvalidInput, match="already a dead-letter topic"):
        dead_letter_topic("concord.sync.results.v1.dlq")


def test_a_prefix_applies_to_every_topic_and_dead_letter_topic() -> None:
    topics = all_topics("ci-42")

    assert all(topic.startswith("ci-42.concord.") for topic in topics)
    assert len(topics) == len(all_topics())
    assert topic_for("sync_result", "ci-42") == "ci-42.concord.sync.results.v1"


def test_no_prefix_leaves_names_unchanged() -> None:
    assert prefixed("concord.discrepancies.v1") == "concord.discrepancies.v1"


@pytest.mark.parametrize("prefix", ["has space", "slash/", ".leading", "trailing.", "x" * 230, "ümlaut"])
def test_a_prefix_kafka_would_refuse_is_invalid_input(prefix: str) -> None:
    with pytest.raises(InvalidInput, match="topic prefix"):
        topic_for("record_observed", prefix)


def test_deletions_share_the_observation_topic_to_stay_in_order_with_them() -> None:
    assert topic_for("record_deleted") == topic_for("record_observed")


def test_a_topic_lists_the_message_types_it_carries() -> None:
    assert message_types_on("t.concord.discrepancies.v1", "t") == (
        "discrepancy_opened",
        "discrepancy_changed",
        "discrepancy_resolved",
    )
    assert message_types_on("concord.unknown.v1") == ()


def _expected_key(message: AnyMessage) -> str:
    if isinstance(message, RawNotificationReceived | RecordObserved | RecordDeleted):
        assert message.ref is not None
        return message.ref.key
    if isinstance(message, RefreshRequested):
        return message.refs[0].key
    if isinstance(message, DiscrepancyResolved):
        return message.last_finding.entity_id
    return ENTITY


@pytest.mark.parametrize("message", every_message(), ids=lambda message: message.type)
def test_every_message_is_keyed_by_its_record_or_its_entity(message: AnyMessage) -> None:
    assert partition_key(message) == _expected_key(message)
    assert route(message, "p").key == partition_key(message)
    assert route(message, "p").topic == topic_for(message.type, "p")


def test_observation_keys_are_the_platform_record_key() -> None:
    keys = {partition_key(message) for message in every_message()}

    assert {HUBSPOT_REF.key, SHOPIFY_REF.key, ENTITY} == keys


def test_a_raw_notification_without_a_known_record_is_keyed_by_its_delivery() -> None:
    message = raw_notification().model_copy(update={"ref": None})

    assert partition_key(message) == "hubspot:delivery:d-1"
