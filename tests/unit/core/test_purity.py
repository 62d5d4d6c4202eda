"""The core stays pure: no module in shared/core imports an I/O library, the adapters or a service."""

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[3] / "shared" / "core"
FORBIDDEN = ("kafka", "aiokafka", "faststream", "pymongo", "bson", "motor", "httpx", "requests", "streamlit",
             "uvicorn", "starlette", "socket", "shared.adapters", "services")  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_forbidden(module: str) -> bool:
    return any(module == banned or module.startswith(f"{banned}.") for banned in FORBIDDEN)


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_no_io_library(path: Path) -> None:
    offending = sorted(module for module in imported_modules(path) if is_forbidden(module))
    assert offending == [], f"{path} imports {offending}"


def test_the_purity_check_recognises_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "leaky.py"
    module.write_text("import os\nfrom pymongo import MongoClient\nimport httpx.transports\n")
    assert sorted(m for m in imported_modules(module) if is_forbidden(m)) == ["httpx.transports", "pymongo"]
