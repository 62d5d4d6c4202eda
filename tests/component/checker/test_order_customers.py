"""An order arriving after its customer re-evaluates the customer's cross-entity checks."""

from datetime import timedelta

from shared.core.events import DiscrepancyOpened, EntityChanged
from shared.core.findings import DiscrepancyKind
from shared.core.model import EntityType, System
from tests.component.checker.pipeline import FakePipeline
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    observed,
    ref,
    shopify_customer,
    shopify_order,
)

NOW = T0 + timedelta(days=1)
LATER = T0 + timedelta(hours=1)


async def _customer_without_orders(pipeline: FakePipeline) -> list[object]:
    hubspot = observed(ref(System.HUBSPOT, "3"), hubspot_contact("3", email="c3@acme.example"), updated=T0)
    shopify = observed(
        ref(System.SHOPIFY, "7003"), shopify_customer("7003", email="c3@acme.example"), updated=T0
    )
    return list(await pipeline.run(hubspot, shopify))


def _order(email: str, updated: object = T0) -> object:
    return observed(
        ref(System.SHOPIFY, "9003", "orders"), shopify_order("9003", email=email, updated=updated),  # type: ignore[arg-type]
        updated=updated, entity_type=EntityType.ORDER,  # type: ignore[arg-type]
    )  # fmt: skip


def _customer_presence(events: list[object]) -> list[DiscrepancyOpened]:
    return [
        e for e in events
        if isinstance(e, DiscrepancyOpened) and e.finding.entity_type is EntityType.CUSTOMER
        and e.finding.dimension == "presence"
    ]  # fmt: skip


async def test_a_shopify_customer_whose_first_order_arrives_later_becomes_missing_from_netsuite() -> None:
    pipeline = FakePipeline(NOW)
    assert _customer_presence(await _customer_without_orders(pipeline)) == []
    customer = pipeline.entities.links["shopify:customers:7003"].entity_id

    events = await pipeline.run(_order("c3@acme.example"))  # type: ignore[arg-type]

    (missing,) = _customer_presence(list(events))
    assert (missing.partition_key, missing.finding.kind) == (customer, DiscrepancyKind.MISSING)
    assert System.NETSUITE in {v.system for v in missing.finding.values if v.value is None}


async def test_only_a_new_order_or_a_new_customer_on_it_re_evaluates_the_customer() -> None:
    pipeline = FakePipeline(NOW)
    await _customer_without_orders(pipeline)
    customer = pipeline.entities.links["shopify:customers:7003"].entity_id
    first = await pipeline.link([_order("c3@acme.example")])  # type: ignore[list-item]
    update = await pipeline.link([_order("c3@acme.example", LATER)])  # type: ignore[list-item]

    def customer_changes(changes: list[EntityChanged]) -> list[str]:
        return [c.entity_id for c in changes if c.entity_type is EntityType.CUSTOMER]

    assert customer_changes(first.changes) == [customer]
    assert customer_changes(update.changes) == [], "same customer, same order count"


async def test_an_order_whose_customer_is_not_known_yet_changes_no_customer() -> None:
    pipeline = FakePipeline(NOW)
    report = await pipeline.link([_order("nobody@acme.example")])  # type: ignore[list-item]
    assert [c.entity_type for c in report.changes] == [EntityType.ORDER]
