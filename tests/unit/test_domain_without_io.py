"""Every service's `domain/` holds rules, not I/O: no database, broker, HTTP, file or process modules, no
file opened, no clock read (handlers pass the time in)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
IO_MODULES = {
    "aiohttp", "aiokafka", "faststream", "httpx", "os", "pathlib", "pymongo", "requests", "smtplib", "socket",
    "sqlite3", "subprocess", "twilio",
}  # fmt: skip
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("time", "time"), ("time", "monotonic"), ("date", "today")}


def _domain_files() -> list[Path]:
    return sorted(ROOT.glob("services/*/src/*/domain/**/*.py"))


def _problems(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [f"imports {a.name}" for a in node.names if a.name.split(".")[0] in IO_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in IO_MODULES:
            found.append(f"imports {node.module}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "open":
                found.append(f"opens a file (line {node.lineno})")
            elif (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and (func.value.id, func.attr) in CLOCK_CALLS
            ):
                found.append(f"reads the clock (line {node.lineno})")
    return found


def test_there_are_domain_files_to_check() -> None:
    assert len(_domain_files()) > 20


@pytest.mark.parametrize("path", _domain_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_does_no_io(path: Path) -> None:
    assert _problems(path) == []


def test_the_check_finds_io(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import pymongo\nfrom pathlib import Path\nopen('x')\ndatetime.now(UTC)\n")
    assert _problems(sample) == [
        "imports pymongo",
        "imports pathlib",
        "opens a file (line 3)",
        "reads the clock (line 4)",
    ]
