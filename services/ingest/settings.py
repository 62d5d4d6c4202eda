"""Settings of the ingest service (env prefix CONCORD_)."""

from shared.adapters.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    """Where ingest listens for webhooks."""

    service_name: str = "ingest"
    ingest_host: str = "127.0.0.1"
    ingest_port: int = 8000
