"""Deleting the topics a test session created, so a long-lived local broker does not pile them up.

Every test names its topics after its ``unique`` token; thousands of leftover partitions slow a
broker's start-up and can exhaust its open-file limit.
"""

import asyncio
import logging
from collections.abc import Collection

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)


def delete_topics_naming(bootstrap: str, tokens: Collection[str]) -> int:
    """Delete every topic whose name contains one of ``tokens``; returns how many. Best effort: a
    broker that refuses is logged, never a test failure."""
    try:
        return asyncio.run(_delete(bootstrap, tokens))
    except (KafkaError, OSError) as error:
        log.warning("test topics left on %s: %s", bootstrap, error)
        return 0


async def _delete(bootstrap: str, tokens: Collection[str]) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        doomed = [t for t in await admin.list_topics() if any(token in t for token in tokens)]
        for start in range(0, len(doomed), 100):
            await admin.delete_topics(doomed[start : start + 100])
        return len(doomed)
    finally:
        await admin.close()
