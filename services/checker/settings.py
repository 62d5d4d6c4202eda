"""Settings of the checker service (env prefix CONCORD_)."""

from shared.adapters.settings import ServiceSettings


class CheckerSettings(ServiceSettings):
    """The checker's configuration; consumer group names derive from group_id."""

    service_name: str = "checker"
    group_id: str = "concord-checker"
