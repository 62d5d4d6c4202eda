"""The sandbox's ``/_admin`` API as the chaos run uses it, and the ground truth it reads from records.

The load's edits set one marker field, the customer's last name, so a stored snapshot can be compared
with the sandbox's record by value as well as by version. Versions are computed from the raw record
exactly as the platform connectors compute them (``version_from`` of the platform's modification time).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import httpx

from chaos.ground_truth import RecordState
from shared.core.model import System
from shared.core.platforms.base import version_from

CUSTOMER_TYPES: Mapping[System, str] = {
    System.HUBSPOT: "contacts",
    System.SHOPIFY: "customers",
    System.NETSUITE: "customer",
}
"""Each platform's customer object type: the sandbox's name, also Concord's ``ExternalRef.object_type``."""

_MODIFIED_AT: Mapping[System, str] = {
    System.HUBSPOT: "updatedAt",
    System.SHOPIFY: "updated_at",
    System.NETSUITE: "lastModifiedDate",
}


def customer_key(system: System, record_id: str) -> str:
    """``system:object_type:id``: the sandbox's record key and Concord's ``ExternalRef.key``."""
    return f"{system}:{CUSTOMER_TYPES[system]}:{record_id}"


def marker_change(system: System, marker: str) -> dict[str, object]:
    """The partial record that sets the last name on ``system``."""
    if system is System.HUBSPOT:
        return {"properties": {"lastname": marker}}
    return {"last_name": marker} if system is System.SHOPIFY else {"lastName": marker}


def record_state(system: System, record: Mapping[str, object]) -> RecordState:
    """A raw customer record's version and last name."""
    if system is System.HUBSPOT:
        properties = record.get("properties")
        marker = properties.get("lastname") if isinstance(properties, dict) else None
    else:
        marker = record.get("last_name" if system is System.SHOPIFY else "lastName")
    modified = datetime.fromisoformat(str(record[_MODIFIED_AT[system]]))
    return RecordState(version=version_from(modified), marker=None if marker is None else str(marker))


class SandboxAdmin:
    """Async calls to one sandbox's admin API; every failure raises ``httpx.HTTPError``."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=15.0)

    async def close(self) -> None:
        await self._http.aclose()

    async def edit_marker(self, system: System, record_id: str, marker: str, *, emit: bool) -> RecordState:
        """Set the customer's last name (``emit``: with the platform's webhook); returns the new state."""
        body = {
            "system": system.value, "object_type": CUSTOMER_TYPES[system], "id": record_id,
            "changes": marker_change(system, marker), "emit": emit,
        }  # fmt: skip
        response = await self._http.post("/_admin/edit", json=body)
        response.raise_for_status()
        return record_state(system, response.json())

    async def customer(self, system: System, record_id: str) -> dict[str, object]:
        response = await self._http.get(f"/_admin/records/{system}/{CUSTOMER_TYPES[system]}/{record_id}")
        response.raise_for_status()
        record: dict[str, object] = response.json()
        return record

    async def customers(self, system: System) -> list[dict[str, object]]:
        """Every customer record of ``system``, raw."""
        response = await self._http.get(f"/_admin/records/{system}/{CUSTOMER_TYPES[system]}")
        response.raise_for_status()
        records: list[dict[str, object]] = response.json()["records"]
        return records

    async def write_counts(self) -> dict[str, int]:
        response = await self._http.get("/_admin/write-counts")
        response.raise_for_status()
        counts: dict[str, int] = response.json()["write_counts"]
        return counts

    async def set_faults(self, faults: Mapping[System, Mapping[str, object]]) -> None:
        """Replace every platform's injected faults (platforms not named: none)."""
        body = {system.value: dict(value) for system, value in faults.items()}
        (await self._http.put("/_admin/faults", json=body)).raise_for_status()
