"""Discrepancies and snapshots for the dashboard's unit tests."""

from datetime import UTC, datetime, timedelta

from shared.core.discrepancy import Discrepancy, apply_findings
from shared.core.findings import DiscrepancyKind, Finding, OwnerVerdict, PlatformValue, SyncDirection
from shared.core.model import Customer, EntityId, EntityType, ExternalRef, Surface, System
from shared.core.snapshot import CustomerSnapshot

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def ref(system: System, external_id: str) -> ExternalRef:
    return ExternalRef(system=system, object_type="customer", external_id=external_id)


def discrepancy(
    n: int = 1, *, kind: DiscrepancyKind = DiscrepancyKind.HARD_CONFLICT, dimension: str = "customer_contact",
    opened: datetime = NOW - timedelta(hours=2), entity_type: EntityType = EntityType.CUSTOMER,
) -> Discrepancy:  # fmt: skip
    values = (
        PlatformValue(system=System.HUBSPOT, field="email", value=f"c{n}@acme.example", ref=ref(System.HUBSPOT, f"h{n}"),
                      observed_at=opened, surface=Surface.WEBHOOK, confidence=0.9),
        PlatformValue(system=System.NETSUITE, field="email", value=f"old{n}@acme.example", ref=ref(System.NETSUITE, f"n{n}"),
                      observed_at=opened, surface=Surface.POLL, confidence=0.7),
    )  # fmt: skip
    finding = Finding(
        entity_id=EntityId(f"ent_{n}"), entity_type=entity_type, dimension=dimension, check="contact", kind=kind,
        fields=("email",), values=values,
        verdict=OwnerVerdict(owner=System.HUBSPOT, strategy="owner_wins", policy="default@1:customer.email"),
        suggested_actions=(SyncDirection(source=System.HUBSPOT, target=System.NETSUITE, fields=("email",)),),
        explanation="emails differ", found_at=opened,
    )  # fmt: skip
    return apply_findings([], [finding], {dimension}, opened).discrepancies[0]


def snapshot(system: System, external_id: str, email: str, *, version: str = "v1") -> CustomerSnapshot:
    return CustomerSnapshot(
        ref=ref(system, external_id), represented=frozenset({"email", "first_name"}), source_version=version,
        source_updated_at=NOW - timedelta(hours=3), observed_at=NOW - timedelta(minutes=5), surface=Surface.WEBHOOK,
        values=Customer(email=email, first_name="Jane"),
    )  # fmt: skip
