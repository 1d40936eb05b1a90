"""Every conditional write on the MongoDB-wire server is listed here and explained where it is written.

FerretDB does not make a conditional update atomic between connections (two clients that both match the
filter both write; the README's measurement). So a write whose filter holds more than the document's
`_id` is either arbitrated by a unique insert before it (`outreach_common.mongo.first_to`, a claim, a log
entry) or safe for a stated reason; either way a `# race:` comment right above it says which. This test
finds every such write in the services and libraries and fails on one without its comment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
WRITES = {"update_one", "update_many", "find_one_and_update", "delete_one", "delete_many", "replace_one"}


def conditional_writes() -> list[tuple[Path, int, str]]:
    """(file, line, method) of every write whose filter is not just an `_id`."""
    found = []
    for path in sorted([*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("libs/*/src/**/*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                continue
            if node.func.attr not in WRITES:
                continue
            query = node.args[0]
            keys = [k.value for k in query.keys if isinstance(k, ast.Constant)] if isinstance(query, ast.Dict) else []
            by_id_only = isinstance(query, ast.Dict) and keys == ["_id"] and len(query.keys) == 1
            if not by_id_only:
                found.append((path, node.lineno, node.func.attr))
    return found


def explained(path: Path, line: int) -> bool:
    """A `# race:` comment on the line of the call or within the three lines above it."""
    lines = path.read_text().splitlines()
    return any("# race:" in text for text in lines[max(0, line - 4) : line])


def test_every_conditional_write_says_why_it_is_safe() -> None:
    writes = conditional_writes()
    assert len(writes) > 10  # the scan finds them (it would pass vacuously otherwise)
    missing = [f"{p.relative_to(ROOT)}:{line} {method}" for p, line, method in writes if not explained(p, line)]
    assert not missing, "conditional writes without a `# race:` comment:\n" + "\n".join(missing)
