"""The checker app on real Kafka and FerretDB: an order arriving after its customer re-evaluates the
customer, so a Shopify customer whose first order comes later is found missing from NetSuite."""

import asyncio

from pymongo.database import Database

from services.checker.app import build_app
from services.checker.settings import CheckerSettings
from shared.adapters.kafka import ensure_topics
from shared.core.events import AnyMessage, DiscrepancyOpened, topic_for
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityType, System
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    observed,
    ref,
    shopify_customer,
    shopify_order,
)
from tests.integration.checker.conftest import publish
from tests.integration.checker.topic_reader import TopicReader


def _customer_opened(messages: list[AnyMessage]) -> list[DiscrepancyOpened]:
    return [
        m for m in messages
        if isinstance(m, DiscrepancyOpened) and m.finding.entity_type is EntityType.CUSTOMER
    ]  # fmt: skip


async def test_a_customer_whose_first_order_arrives_later_is_found_missing_from_netsuite(
    settings: CheckerSettings, mongo_db: Database[dict[str, object]]
) -> None:
    await ensure_topics(settings.kafka_bootstrap, settings.topic_prefix, partitions=3)
    topic = TopicReader(settings.kafka_bootstrap, topic_for("discrepancy_opened", settings.topic_prefix))
    async with build_app(settings), topic:
        await publish(
            settings,
            observed(ref(System.HUBSPOT, "3"), hubspot_contact("3", email="c3@acme.example"), updated=T0),
            observed(ref(System.SHOPIFY, "7003"), shopify_customer("7003", email="c3@acme.example"), updated=T0),
        )  # fmt: skip
        async with asyncio.timeout(60):
            while True:  # poll with a deadline: both records linked and the customer verified
                linked = mongo_db["links"].count_documents({}) >= 2
                if linked and mongo_db["check_state"].count_documents({"dimension": "presence"}) >= 1:
                    break
                await asyncio.sleep(0.2)
        # One record evaluated before the other arrived (they travel on different partitions) may open a
        # passing "HubSpot absent"; NetSuite must never be named missing while there are no orders.
        opened = _customer_opened(await topic.settle(3.0))
        assert [m for m in opened if "NetSuite" in m.finding.explanation] == [], (
            "no orders yet: nothing is missing"
        )
        order = observed(ref(System.SHOPIFY, "9003", "orders"), shopify_order("9003", email="c3@acme.example"),
                         updated=T0, entity_type=EntityType.ORDER)  # fmt: skip
        await publish(settings, order)
        events = await topic.until(lambda m: bool(_customer_opened(m)))

    link = mongo_db["links"].find_one({"_id": "shopify:customers:7003"})
    assert link is not None
    (missing,) = _customer_opened(events)
    assert (missing.partition_key, missing.finding.dimension, missing.finding.kind) == (
        link["entity_id"], "presence", DiscrepancyKind.MISSING,
    )  # fmt: skip
