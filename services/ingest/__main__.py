"""`python -m services.ingest`: load settings, configure logging, serve HTTP."""

import uvicorn

from services.ingest.app import build_app
from services.ingest.settings import IngestSettings
from shared.adapters.logging import configure_logging


def main() -> None:
    settings = IngestSettings()
    configure_logging(settings)
    uvicorn.run(build_app(settings), host=settings.ingest_host, port=settings.ingest_port, log_config=None)


if __name__ == "__main__":
    main()
