"""`python -m services.ingest`: load settings, configure logging, serve webhooks and run the consumers."""

import uvicorn

from services.ingest.app import build_app
from services.ingest.settings import IngestSettings
from shared.adapters.logging import configure_logging


def main() -> None:
    settings = IngestSettings()  # secrets come from CONCORD_* variables; missing ones stop the start
    configure_logging(settings)
    uvicorn.run(build_app(settings), host=settings.ingest_host, port=settings.ingest_port, log_config=None)


if __name__ == "__main__":
    main()
