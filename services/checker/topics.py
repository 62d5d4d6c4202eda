"""The topics the checker publishes, declared on the broker so its AsyncAPI document describes them.

The stages publish through ``KafkaMessagePublisher`` (routed by the core's topic table); these
declarations only document the channels with their message schemas.
"""

from typing import Annotated

from faststream.kafka import KafkaBroker
from pydantic import Field

from shared.adapters.batches import declare_dead_letter_topic
from shared.core.events import (
    DiscrepancyChanged,
    DiscrepancyOpened,
    DiscrepancyResolved,
    EntityChanged,
    RefreshRequested,
    topic_for,
)

DiscrepancyTopicMessage = Annotated[
    DiscrepancyOpened | DiscrepancyChanged | DiscrepancyResolved, Field(discriminator="type")
]

DISCREPANCIES_DESCRIPTION = (
    "Discrepancy lifecycle events, keyed by entity id: discrepancy_opened (revision 1), "
    "discrepancy_changed and discrepancy_resolved (revision + 1 each). message_id is one per "
    "(discrepancy_id, revision): store the highest revision applied and ignore replays. "
    "JSON Schemas: docs/asyncapi/schemas/<type>.v<schema_version>.json."
)
ENTITIES_DESCRIPTION = (
    "EntityChanged, keyed by canonical entity id: the link stage's output, the evaluate stage's input."
)
REFRESH_DESCRIPTION = (
    "RefreshRequested, keyed by the first record's key, surface pulse: from the pulse (reason pulse), "
    "due (entity, dimension) pairs whose records ingest re-reads, to find drift no event reported; from "
    "the link stage (reason version_tie), a record two observations of one version disagree about."
)
PROVISIONED_ONLY = frozenset({"discrepancies.dead_letters"})
"""Titles of channels declared for the contract that no operation of the checker sends to or receives."""


def declare_published_topics(broker: KafkaBroker, prefix: str) -> None:
    """Declare the entity-change, discrepancy and (pulse) refresh-request topics, and the dead-letter
    topics of the checker's stages and of its discrepancy topic (see ``PROVISIONED_ONLY``)."""
    broker.publisher(
        topic_for("discrepancy_opened", prefix), schema=DiscrepancyTopicMessage,
        title="discrepancies", description=DISCREPANCIES_DESCRIPTION,
    )  # fmt: skip
    broker.publisher(
        topic_for("entity_changed", prefix), schema=EntityChanged, title="entities.changed",
        description=ENTITIES_DESCRIPTION,
    )  # fmt: skip
    broker.publisher(
        topic_for("refresh_requested", prefix), schema=RefreshRequested, title="refresh.requested",
        description=REFRESH_DESCRIPTION,
    )  # fmt: skip
    consumed = (
        ("link", topic_for("record_observed", prefix)),
        ("evaluate", topic_for("entity_changed", prefix)),
    )
    for stage, topic in consumed:
        declare_dead_letter_topic(broker, topic, title=f"{stage}.dead_letters", consumer=stage)
    discrepancies = topic_for("discrepancy_opened", prefix)
    declare_dead_letter_topic(broker, discrepancies, title="discrepancies.dead_letters", consumer=None)
