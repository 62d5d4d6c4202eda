"""Batch mechanics: decoding with dead letters, and lag that never fails a batch."""

from datetime import UTC, datetime

from aiokafka import TopicPartition

from shared.adapters.batches import Delivered, decode_batch, partition_lag, rejected_record
from shared.core.events import AnyMessage, EntityChanged, message_to_json
from tests.unit.core.events.examples import every_message


def _entity_change(message: AnyMessage) -> EntityChanged | None:
    return message if isinstance(message, EntityChanged) else None


def test_records_that_are_not_messages_of_the_topic_are_set_aside_in_order() -> None:
    change = next(m for m in every_message() if isinstance(m, EntityChanged))
    other = next(m for m in every_message() if not isinstance(m, EntityChanged))
    records = [Delivered("t", 0, n, None, value) for n, value in
               enumerate([b"{", message_to_json(change), message_to_json(other), None])]  # fmt: skip
    batch = decode_batch(records, _entity_change)
    assert batch.messages == [change]
    assert [(r.offset, r.reason.split(":")[0]) for r in batch.rejected] == [
        (0, "invalid message"), (2, f"unexpected message type {other.type}"), (3, "invalid message"),
    ]  # fmt: skip


class Consumer:
    def highwater(self, partition: TopicPartition) -> int | None:
        if partition.partition == 2:
            raise AssertionError("Partition is not assigned")
        return {0: 10, 1: None}[partition.partition]


def test_lag_counts_records_after_the_batch_and_skips_revoked_or_unknown_partitions() -> None:
    records = [Delivered("t", p, o, None, b"") for p, o in ((0, 3), (0, 6), (1, 4), (2, 9))]
    assert partition_lag(records, Consumer()) == {("t", 0): 3}
    assert partition_lag(records, object()) == {}


def test_a_dead_letter_keeps_the_original_headers_and_says_where_it_came_from_and_why() -> None:
    record = Delivered("concord.raw.v1", 2, 41, b"key", b"{", headers=(("traceparent", b"00-abc"),))
    letter = rejected_record(record, "invalid message: not JSON", consumer="concord.ingest.hydration")
    headers = letter.dead_letter_headers(datetime(2026, 11, 28, 12, tzinfo=UTC))
    assert (letter.key, letter.value) == (b"key", b"{")
    assert headers == {
        "traceparent": "00-abc",
        "dlq-reason": "invalid message: not JSON",
        "dlq-origin": "concord.raw.v1/2/41",
        "dlq-source-topic": "concord.raw.v1",
        "dlq-source-partition": "2",
        "dlq-source-offset": "41",
        "dlq-consumer": "concord.ingest.hydration",
        "dlq-failed-at": "2026-11-28T12:00:00+00:00",
    }
