"""The checker app on real Kafka and FerretDB: realistic observations in, discrepancy events out.

Acceptance 1 of issue 6: an email that differs between HubSpot and NetSuite beyond the grace window
is exactly one hard conflict with both sides, their times, the owner verdict and suggested actions;
a name differing only in case is soft drift, never a conflict; a Shopify customer with orders absent
from NetSuite is missing; the fixes arriving resolve both.
"""

import asyncio
from datetime import timedelta

from pymongo.database import Database

from services.checker.app import build_app
from services.checker.settings import CheckerSettings
from shared.adapters.kafka import ensure_topics
from shared.core.events import AnyMessage, DiscrepancyOpened, DiscrepancyResolved, topic_for
from shared.core.findings import DiscrepancyKind, SyncDirection
from shared.core.model import EntityType, System
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    netsuite_customer,
    observed,
    ref,
    shopify_customer,
    shopify_order,
)
from tests.integration.checker.conftest import publish
from tests.integration.checker.topic_reader import TopicReader


def _opened(messages: list[AnyMessage], dimension: str) -> list[DiscrepancyOpened]:
    return [m for m in messages if isinstance(m, DiscrepancyOpened) and m.finding.dimension == dimension]


async def _links_stored(database: Database[dict[str, object]], count: int) -> None:
    async with asyncio.timeout(60):
        while True:  # poll with a deadline: the stored links are the only signal
            if database["links"].count_documents({}) >= count:
                return
            await asyncio.sleep(0.2)


async def test_conflict_drift_and_missing_open_then_the_fixes_resolve_them(
    settings: CheckerSettings, mongo_db: Database[dict[str, object]]
) -> None:
    await ensure_topics(settings.kafka_bootstrap, settings.topic_prefix, partitions=3)
    app = build_app(settings)
    later = T0 + timedelta(hours=3)
    async with (
        app,
        TopicReader(
            settings.kafka_bootstrap, topic_for("discrepancy_opened", settings.topic_prefix)
        ) as topic,
    ):
        # Customer 1: NetSuite still has an old email. Customer 2: Shopify writes the first name in capitals.
        # Customer 3: has an order in Shopify, is in HubSpot, absent from NetSuite (the order comes first).
        await publish(settings, observed(ref(System.SHOPIFY, "9003", "orders"), shopify_order("9003", email="c3@acme.example"),
                                          updated=T0, entity_type=EntityType.ORDER))  # fmt: skip
        await topic.until(
            lambda m: any(
                isinstance(e, DiscrepancyOpened) and e.finding.entity_type is EntityType.ORDER for e in m
            )
        )
        # Records arrive over time: the CRM and shop records link first, then NetSuite's, which name
        # the Shopify customer (externalId). Customer 3's NetSuite record does not exist yet.
        await publish(
            settings,
            observed(ref(System.HUBSPOT, "1"), hubspot_contact("1", email="c1@acme.example"), updated=T0),
            observed(ref(System.SHOPIFY, "7001"), shopify_customer("7001", email="c1@acme.example"), updated=T0),
            observed(ref(System.HUBSPOT, "2"), hubspot_contact("2", email="c2@acme.example"), updated=T0),
            observed(ref(System.SHOPIFY, "7002"), shopify_customer("7002", email="c2@acme.example", first="JANE"), updated=T0),
            observed(ref(System.SHOPIFY, "7003"), shopify_customer("7003", email="c3@acme.example"), updated=T0),
            observed(ref(System.HUBSPOT, "3"), hubspot_contact("3", email="c3@acme.example"), updated=T0),
        )  # fmt: skip
        await _links_stored(mongo_db, 7)
        await publish(
            settings,
            observed(ref(System.NETSUITE, "101"), netsuite_customer("101", email="old.c1@acme.example", names="shopify:7001"), updated=T0),
            observed(ref(System.NETSUITE, "102"), netsuite_customer("102", email="c2@acme.example", names="shopify:7002"), updated=T0),
        )  # fmt: skip
        events = await topic.until(
            lambda m: (
                len(_opened(m, "customer_contact")) >= 2
                and any(
                    e.finding.kind is DiscrepancyKind.MISSING and e.finding.entity_type is EntityType.CUSTOMER
                    for e in _opened(m, "presence")
                )
            )
        )
        events = await topic.settle()

        contact = {e.finding.kind: e for e in _opened(events, "customer_contact")}
        assert set(contact) == {DiscrepancyKind.SOFT_DRIFT, DiscrepancyKind.HARD_CONFLICT}
        assert len(_opened(events, "customer_contact")) == 2, "exactly one discrepancy per disagreement"
        conflict = contact[DiscrepancyKind.HARD_CONFLICT].finding
        assert conflict.fields == ("email",)
        assert {(v.system, v.value) for v in conflict.values} == {
            (System.HUBSPOT, "c1@acme.example"),
            (System.NETSUITE, "old.c1@acme.example"),
        }
        assert all(v.source_updated_at == T0 and v.observed_at is not None for v in conflict.values)
        assert (
            conflict.verdict.owner is System.HUBSPOT and conflict.verdict.policy == "default@1:customer.email"
        )
        assert (
            SyncDirection(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",))
            in conflict.suggested_actions
        )
        assert contact[DiscrepancyKind.SOFT_DRIFT].finding.fields == ("first_name",)
        missing = [e for e in _opened(events, "presence") if e.finding.entity_type is EntityType.CUSTOMER]
        assert [e.finding.kind for e in missing] == [DiscrepancyKind.MISSING]

        await publish(
            settings,
            observed(ref(System.NETSUITE, "101"), netsuite_customer("101", email="c1@acme.example", names="shopify:7001", updated=later), updated=later),
            observed(ref(System.NETSUITE, "103"), netsuite_customer("103", email="c3@acme.example", names="shopify:7003", updated=later), updated=later),
        )  # fmt: skip
        wanted = {contact[DiscrepancyKind.HARD_CONFLICT].discrepancy_id, missing[0].discrepancy_id}
        events = await topic.until(
            lambda m: wanted <= {e.discrepancy_id for e in m if isinstance(e, DiscrepancyResolved)}
        )
        resolved = [e for e in events if isinstance(e, DiscrepancyResolved) and e.discrepancy_id in wanted]
        assert sorted((e.revision, e.resolution) for e in resolved) == [(2, "converged"), (2, "converged")]
