"""`python -m services.checker`: load settings, configure logging, run both stages and the pulse loop."""

import asyncio

from services.checker.app import build_app
from services.checker.settings import CheckerSettings
from shared.adapters.logging import configure_logging


def main() -> None:
    settings = CheckerSettings()
    configure_logging(settings)
    asyncio.run(build_app(settings).run())


if __name__ == "__main__":
    main()
