"""Consumer lag per group and partition, and dead-letter topics, read with aiokafka's admin client."""

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.dashboard.ports import DeadLetters, Lag
from shared.core.events import all_topics

_LATEST_DEAD_LETTERS = 5


class AiokafkaHealth:
    """``ports.KafkaHealth`` against one broker; each call opens and closes its own clients."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self._bootstrap = bootstrap
        self._prefix = prefix

    async def lags(self) -> list[Lag]:
        """Committed offset vs end offset for every partition every consumer group committed to."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await admin.start()
        try:
            groups = sorted(str(group[0]) for group in await admin.list_consumer_groups())
            committed = {group: await admin.list_consumer_group_offsets(group) for group in groups}
        finally:
            await admin.close()
        ours = {
            tp for offsets in committed.values() for tp in offsets if tp.topic in all_topics(self._prefix)
        }
        ends = await self._end_offsets(sorted(ours))
        return [
            Lag(
                group=group,
                topic=tp.topic,
                partition=tp.partition,
                committed=meta.offset,
                end=ends.get(tp, 0),
            )
            for group, offsets in committed.items()
            for tp, meta in sorted(offsets.items())
            if tp in ours
        ]

    async def dead_letters(self) -> list[DeadLetters]:
        """Every dead-letter topic holding messages, with the reasons of its newest ones."""
        topics = [topic for topic in all_topics(self._prefix) if topic.endswith(".dlq")]
        # Subscribing (no group) is what loads the topics' partitions into the consumer's metadata;
        # ``consumer.topics()`` fetches metadata without keeping it.
        consumer = AIOKafkaConsumer(*topics, bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [
                TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
            ]
            consumer.unsubscribe()  # the newest messages are read by assignment
            ends = await consumer.end_offsets(partitions) if partitions else {}
            starts = await consumer.beginning_offsets(partitions) if partitions else {}
            found: list[DeadLetters] = []
            for topic in topics:
                mine = [tp for tp in partitions if tp.topic == topic and ends[tp] > starts[tp]]
                if mine:
                    count = sum(ends[tp] - starts[tp] for tp in mine)
                    found.append(
                        DeadLetters(topic=topic, count=count, latest=await _latest(consumer, mine, ends))
                    )
            return found
        finally:
            await consumer.stop()

    async def _end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        if not partitions:
            return {}
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            return dict(await consumer.end_offsets(partitions))
        finally:
            await consumer.stop()


async def _latest(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], ends: dict[TopicPartition, int]
) -> tuple[str, ...]:
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, max(0, ends[tp] - _LATEST_DEAD_LETTERS))
    batches = await consumer.getmany(*partitions, timeout_ms=2000)
    records = sorted((r for batch in batches.values() for r in batch), key=lambda r: -r.timestamp)
    reasons = []
    for record in records[:_LATEST_DEAD_LETTERS]:
        headers = {name: value.decode(errors="replace") for name, value in record.headers or ()}
        reasons.append(f"{headers.get('dlq-origin', '?')}: {headers.get('dlq-reason', '(no reason header)')}")
    return tuple(reasons)


__all__ = ["AiokafkaHealth"]
