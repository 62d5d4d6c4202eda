"""A description of the machine and versions, stored beside every benchmark figure."""

import os
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def describe_machine(kafka_version: str | None = None) -> dict[str, object]:
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            name: version(name)
            for name in ("faststream", "aiokafka", "pymongo", "pydantic", "starlette", "uvicorn", "httpx")
        },
        "kafka": kafka_version,
        # What else ran: a benchmark on a loaded 2-core machine reads low, its baseline too.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
