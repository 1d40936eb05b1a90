"""Write the JSON Schema of every contract model into a folder (`make schemas`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from outreach_contracts.registry import ALL_MODELS


def export(folder: Path) -> list[Path]:
    """Write one `<Model>.schema.json` per model; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for model in ALL_MODELS:
        path = folder / f"{model.__name__}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "contracts/schemas")
    for written_path in export(target):
        print(written_path)
