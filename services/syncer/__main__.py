"""`python -m services.syncer`: load settings, configure logging, run."""

import asyncio

from services.syncer.app import build_app
from services.syncer.settings import SyncerSettings
from shared.adapters.logging import configure_logging


def main() -> None:
    settings = SyncerSettings()
    configure_logging(settings)
    asyncio.run(build_app(settings).run())


if __name__ == "__main__":
    main()
