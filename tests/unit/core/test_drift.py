"""detect_passive_drift: a pulse that finds changed values reports which event surface missed them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.drift import PassiveDrift, detect_passive_drift
from shared.core.errors import InvalidInput
from shared.core.model import Customer, EntityId, ExternalRef, Money, Product, Surface, System
from shared.core.snapshot import CustomerSnapshot, ProductSnapshot

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
REPRESENTED = frozenset({"email", "phone", "first_name"})


def ref_of(system: System) -> ExternalRef:
    object_type = {System.HUBSPOT: "contacts", System.SHOPIFY: "customers", System.NETSUITE: "customer"}[
        system
    ]
    return ExternalRef(system=system, object_type=object_type, external_id="51")


def customer(
    *,
    system: System = System.HUBSPOT,
    surface: Surface = Surface.PULSE,
    email: str | None = "a@example.com",
    phone: str | None = "+14155550100",
    updated: datetime | None = None,
    deleted: bool = False,
    entity_id: str | None = None,
    represented: frozenset[str] = REPRESENTED,
) -> CustomerSnapshot:
    return CustomerSnapshot(
        ref=ref_of(system),
        represented=represented,
        source_updated_at=updated,
        observed_at=T0,
        surface=surface,
        deleted=deleted,
        values=Customer(
            email=email, phone=phone, entity_id=None if entity_id is None else EntityId(entity_id)
        ),
    )


PREVIOUS = customer(surface=Surface.WEBHOOK, updated=T0)


@pytest.mark.parametrize(
    ("case", "previous", "refreshed", "expected"),
    [
        (
            "hubspot webhook missed",
            PREVIOUS,
            customer(email="b@example.com"),
            PassiveDrift(fields=("email",), missed_surface=Surface.WEBHOOK),
        ),
        (
            "shopify webhook missed",
            customer(system=System.SHOPIFY, surface=Surface.POLL),
            customer(system=System.SHOPIFY, phone=None),
            PassiveDrift(fields=("phone",), missed_surface=Surface.WEBHOOK),
        ),
        (
            "netsuite poll missed",
            customer(system=System.NETSUITE, surface=Surface.POLL),
            customer(system=System.NETSUITE, email="b@example.com", phone="+1"),
            PassiveDrift(fields=("email", "phone"), missed_surface=Surface.POLL),
        ),
        (
            "deletion missed",
            PREVIOUS,
            customer(deleted=True),
            PassiveDrift(fields=("deleted",), missed_surface=Surface.WEBHOOK),
        ),
        ("unchanged", PREVIOUS, customer(), None),
        ("first sighting", None, customer(), None),
        ("not a pulse", PREVIOUS, customer(surface=Surface.WEBHOOK, email="b@example.com"), None),
        ("sync read-back", PREVIOUS, customer(surface=Surface.SYNC_READBACK, email="b@example.com"), None),
        ("stale read", PREVIOUS, customer(email="b@example.com", updated=T0 - timedelta(seconds=1)), None),
        ("link field only", PREVIOUS, customer(entity_id="ent_9"), None),
        (
            "unrepresented by one side",
            PREVIOUS,
            customer(email="b@example.com", represented=frozenset({"phone"})),
            None,
        ),
    ],
)
def test_reports_passive_drift_only_for_a_changed_pulse_read(
    case: str,
    previous: CustomerSnapshot | None,
    refreshed: CustomerSnapshot,
    expected: PassiveDrift | None,
) -> None:
    assert detect_passive_drift(previous, refreshed) == expected, case


def test_the_event_surface_of_a_platform_is_configurable() -> None:
    drift = detect_passive_drift(
        customer(system=System.SHOPIFY),
        customer(system=System.SHOPIFY, email="b@example.com"),
        event_surfaces={System.SHOPIFY: Surface.POLL},
    )
    assert drift == PassiveDrift(fields=("email",), missed_surface=Surface.POLL)


def test_compares_money_by_value_not_by_identity() -> None:
    def product(price: str) -> ProductSnapshot:
        return ProductSnapshot(
            ref=ExternalRef(system=System.NETSUITE, object_type="inventoryItem", external_id="9"),
            represented=frozenset({"price", "sku"}),
            observed_at=T0,
            surface=Surface.PULSE,
            values=Product(sku="SKU-1", price=Money(amount=Decimal(price), currency="USD")),
        )

    assert detect_passive_drift(product("10.00"), product("10.00")) is None
    assert detect_passive_drift(product("10.00"), product("12.50")) == PassiveDrift(
        fields=("price",), missed_surface=Surface.POLL
    )


def test_refuses_to_compare_two_different_records() -> None:
    with pytest.raises(InvalidInput):
        detect_passive_drift(customer(system=System.SHOPIFY), customer(system=System.HUBSPOT))


@given(before=st.emails(), after=st.emails(), system=st.sampled_from(list(System)))
def test_drift_is_reported_exactly_when_a_represented_value_changed(
    before: str, after: str, system: System
) -> None:
    drift = detect_passive_drift(customer(system=system, email=before), customer(system=system, email=after))
    if before == after:
        assert drift is None
    else:
        assert drift is not None
        assert drift.fields == ("email",)
        assert drift.missed_surface in {Surface.WEBHOOK, Surface.POLL}
