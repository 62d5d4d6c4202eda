"""Settings of the syncer service (env prefix CONCORD_)."""

from shared.adapters.settings import ServiceSettings


class SyncerSettings(ServiceSettings):
    """The syncer's configuration; consumer group names derive from group_id."""

    service_name: str = "syncer"
    group_id: str = "concord-syncer"
