"""The CRMs' published API descriptions (`../shared/crm-specs/` beside the repository, or where
`OUTREACH_CRM_SPECS` says), and checking a request against them with openapi-core."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from openapi_core import Config, OpenAPI
from openapi_core.contrib.starlette.requests import StarletteOpenAPIRequest
from openapi_core.templating.paths.exceptions import PathNotFound
from starlette.requests import Request


def specs_folder() -> Path:
    """Where the published documents are; a clear error when they are nowhere to be found."""
    here = Path(__file__).resolve()
    candidates = [Path(os.environ["OUTREACH_CRM_SPECS"])] if os.environ.get("OUTREACH_CRM_SPECS") else []
    candidates += [p / "shared" / "crm-specs" for p in here.parents] + [Path("/work/shared/crm-specs")]
    for folder in candidates:
        if (folder / "hubspot").is_dir():
            return folder
    raise FileNotFoundError("the CRMs' API descriptions (crm-specs) are not found: set OUTREACH_CRM_SPECS")


# GoHighLevel's documents declare their bearer schemes with `in` and `name`, which OpenAPI 3.0 allows only on
# API-key schemes: the documents are used as published, without checking them as documents first.
LENIENT = Config(spec_validator_cls=None)


@cache
def documents(crm: str) -> tuple[OpenAPI, ...]:
    """Each published document of a CRM, its servers made relative (the fake answers on any host)."""
    found = []
    for path in sorted((specs_folder() / crm).glob("*.json")):
        spec = json.loads(path.read_text())
        spec["servers"] = [{"url": "/"}]
        found.append(OpenAPI.from_dict(spec, config=LENIENT if crm == "gohighlevel" else None))
    return tuple(found)


def violations(crm: str, request: Request, body: bytes) -> list[str]:
    """What is wrong with the request according to the CRM's documents (empty: it is valid); a path no
    document describes is a violation too."""
    wrapped = StarletteOpenAPIRequest(request, body or None)
    for document in documents(crm):
        try:
            document.validate_request(wrapped)
        except PathNotFound:
            continue
        except Exception as exc:  # any validation error: its message, and the causes it lists
            causes = [str(c) for c in getattr(exc, "schema_errors", None) or []]
            return [f"{request.method} {request.url.path}: {exc}", *causes]
        return []
    return [f"{request.method} {request.url.path}: no published operation"]
