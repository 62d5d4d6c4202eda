"""The platform connectors ingest reads with: ``shared.adapters.platforms.clients`` (shared with the syncer).

Only platforms with settings get a connector; the others are logged once and simply not polled,
hydrated or refreshed (what needs them is dead-lettered, see ``reading.read_records``).
"""

from shared.adapters.platforms.clients import BUDGET_COLLECTION, PlatformClients

__all__ = ["BUDGET_COLLECTION", "PlatformClients"]
