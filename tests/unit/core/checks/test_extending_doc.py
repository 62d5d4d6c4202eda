"""The code docs/extending.md shows is the code of real modules, so the guide cannot drift."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
GUIDE = ROOT / "docs" / "extending.md"
SOURCED_BLOCK = re.compile(r"<!-- source: (?P<path>\S+) -->\n```python\n(?P<code>.*?)```", re.DOTALL)


def _sourced_blocks() -> list[tuple[str, str]]:
    return [(m["path"], m["code"]) for m in SOURCED_BLOCK.finditer(GUIDE.read_text(encoding="utf-8"))]


def test_guide_shows_the_example_check_and_its_test() -> None:
    assert {path for path, _ in _sourced_blocks()} == {
        "tests/unit/core/checks/example_check.py",
        "tests/unit/core/checks/test_example_check.py",
    }


@pytest.mark.parametrize(("path", "code"), _sourced_blocks(), ids=[path for path, _ in _sourced_blocks()])
def test_guide_code_block_is_the_module_verbatim(path: str, code: str) -> None:
    assert code == (ROOT / path).read_text(encoding="utf-8")
