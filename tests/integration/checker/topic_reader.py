"""Reading a topic from the start until what was expected has arrived."""

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer

from shared.core.events import AnyMessage, parse_message


class TopicReader:
    """Collects every message of one topic; :meth:`until` waits, with a deadline, for a condition."""

    def __init__(self, kafka: str, topic: str) -> None:
        self._consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka, auto_offset_reset="earliest",
                                          enable_auto_commit=False)  # fmt: skip
        self.messages: list[AnyMessage] = []

    async def __aenter__(self) -> "TopicReader":
        await self._consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def until(
        self, done: Callable[[list[AnyMessage]], bool], *, within_seconds: float = 60
    ) -> list[AnyMessage]:
        async with asyncio.timeout(within_seconds):
            while not done(self.messages):
                for records in (await self._consumer.getmany(timeout_ms=300)).values():
                    self.messages += [parse_message(record.value or b"") for record in records]
        return self.messages

    async def settle(self, seconds: float = 3.0) -> list[AnyMessage]:
        """Everything that arrives within ``seconds`` more."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            for records in (await self._consumer.getmany(timeout_ms=300)).values():
                self.messages += [parse_message(record.value or b"") for record in records]
        return self.messages
