"""The whole Concord system on bare processes, seeded for a demo: ``python -m infra.demo up|down|status``.

``config`` says what a deployment is and builds the service specs; ``session`` starts and stops one.
"""

from infra.demo.config import Credentials, DemoConfig, service_specs
from infra.demo.session import DemoScenario, DemoSession, start_demo, stop_demo

__all__ = [
    "Credentials",
    "DemoConfig",
    "DemoScenario",
    "DemoSession",
    "service_specs",
    "start_demo",
    "stop_demo",
]
