from datetime import UTC, datetime
from decimal import Decimal

from shared.core.events import CreateMissing, SeenRecord, SyncCommand, first_in_chain
from shared.core.model import (
    Customer,
    EntityId,
    EntityType,
    ExternalRef,
    Money,
    Order,
    OrderLine,
    Product,
    Surface,
    System,
)
from shared.core.policy import default_policy
from shared.core.snapshot import CustomerSnapshot, OrderSnapshot, ProductSnapshot
from shared.core.sync import PlanInputs, ProblemKind, RelatedRecord, plan_command

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ORDER = ExternalRef(system=System.SHOPIFY, object_type="orders", external_id="5001")
SHOP_CUSTOMER = ExternalRef(system=System.SHOPIFY, object_type="customers", external_id="7001")
ERP_ITEM = ExternalRef(system=System.NETSUITE, object_type="inventoryItem", external_id="501")
USD = Money(amount=Decimal("12.50"), currency="USD")
CREATE = CreateMissing(source=System.SHOPIFY, target=System.NETSUITE)


def order(*skus: str) -> OrderSnapshot:
    lines = tuple(OrderLine(sku=sku, quantity=1, unit_price=USD) for sku in skus)
    return OrderSnapshot(ref=ORDER, represented=frozenset({"order_number", "customer_email", "lines"}),
                         source_version="1", observed_at=NOW, surface=Surface.PULSE,
                         values=Order(order_number="#1", customer_email="Carol@Shop.example", lines=lines))  # fmt: skip


def shop_customer() -> CustomerSnapshot:
    return CustomerSnapshot(ref=SHOP_CUSTOMER, represented=frozenset({"email", "first_name"}), source_version="1",
                            observed_at=NOW, surface=Surface.PULSE,
                            values=Customer(email="carol@shop.example", first_name="Carol"))  # fmt: skip


def command() -> SyncCommand:
    return SyncCommand(
        **first_in_chain(producer="test", produced_at=NOW), command_id="c1", idempotency_key="k1",
        entity_id=EntityId("ent_o"), entity_type=EntityType.ORDER, dimension="presence", action=CREATE,
        approved_by="op", approved_at=NOW, seen=(SeenRecord(ref=ORDER, source_version="1", values={}),),
    )  # fmt: skip


CUSTOMER_FOUND_IN_SOURCE = RelatedRecord(key="email:carol@shop.example", entity_id=EntityId("ent_c"),
                                         source=shop_customer())  # fmt: skip
ITEM_IN_TARGET = RelatedRecord(key="sku:MUG-1", entity_id=EntityId("ent_p"), target=ERP_ITEM)


def test_a_missing_customer_is_created_before_the_order_which_points_at_that_write_and_at_the_item() -> None:
    plan = plan_command(command(), PlanInputs(default_policy(), [order("mug-1")],
                                              related=[CUSTOMER_FOUND_IN_SOURCE, ITEM_IN_TARGET]))  # fmt: skip

    assert plan.executable, plan.explain()
    assert [(w.operation, w.entity_type, w.system) for w in plan.writes] == [
        ("create", EntityType.CUSTOMER, System.NETSUITE), ("create", EntityType.ORDER, System.NETSUITE)
    ]  # fmt: skip
    assert plan.writes[0].expected["email"] == "carol@shop.example"
    assert [(r.role, r.line, r.ref, r.write_index) for r in plan.writes[1].references] == [
        ("customer", None, None, 0), ("item", 0, ERP_ITEM, None)
    ]  # fmt: skip
    assert [(r.entity_type, r.present) for r in plan.requires] == [
        (EntityType.CUSTOMER, False), (EntityType.PRODUCT, True)
    ]  # fmt: skip


def test_two_lines_of_one_item_create_it_once() -> None:
    item = ProductSnapshot(ref=ExternalRef(system=System.SHOPIFY, object_type="products", external_id="9"),
                           represented=frozenset({"sku", "title"}), source_version="1", observed_at=NOW,
                           surface=Surface.PULSE, values=Product(sku="MUG-1", title="Mug"))  # fmt: skip
    related = [CUSTOMER_FOUND_IN_SOURCE, RelatedRecord(key="sku:MUG-1", source=item)]
    plan = plan_command(command(), PlanInputs(default_policy(), [order("MUG-1", "MUG-1")], related=related))

    assert [w.entity_type for w in plan.writes] == [EntityType.CUSTOMER, EntityType.PRODUCT, EntityType.ORDER]
    assert [r.write_index for r in plan.writes[-1].references] == [0, 1, 1]


def test_a_dependency_found_nowhere_is_a_missing_dependency_and_nothing_is_planned_to_run() -> None:
    plan = plan_command(command(), PlanInputs(default_policy(), [order("MUG-1")], related=[ITEM_IN_TARGET]))

    assert not plan.executable
    assert [p.kind for p in plan.problems] == [ProblemKind.MISSING_DEPENDENCY]
    assert "the order's customer (email:carol@shop.example) is in neither netsuite" in plan.explain()


def test_a_customer_create_plans_no_dependencies() -> None:
    create = command().model_copy(update={"entity_type": EntityType.CUSTOMER,
                                          "seen": (SeenRecord(ref=SHOP_CUSTOMER, source_version="1", values={}),)})  # fmt: skip
    plan = plan_command(create, PlanInputs(default_policy(), [shop_customer()]))

    assert (len(plan.writes), plan.requires, plan.writes[0].references) == (1, (), ())
