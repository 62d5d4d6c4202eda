"""`python -m services.sandbox`: load settings, configure logging, serve the platform sandbox."""

import uvicorn

from services.sandbox.app import build_app
from services.sandbox.settings import SandboxSettings
from shared.adapters.logging import configure_logging


def main() -> None:
    settings = SandboxSettings()
    configure_logging(settings)
    uvicorn.run(build_app(settings), host=settings.sandbox_host, port=settings.sandbox_port, log_config=None)


if __name__ == "__main__":
    main()
