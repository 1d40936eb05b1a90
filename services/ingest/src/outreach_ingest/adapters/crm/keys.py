"""The keys CRM credentials are sealed with: from settings, else (development only) one kept in a file."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from outreach_ingest.adapters.crm.secrets import TokenBox

logger = logging.getLogger(__name__)


def token_box(keys: list[str], folder: Path, *, environment: str = "development") -> TokenBox:
    """A box for `keys` (newest first); with none, a development key in `folder/.crm-key`, made once (never
    in production: every replica must open what another sealed)."""
    if keys:
        return TokenBox(keys)
    if environment == "production":
        raise ValueError("OUTREACH_CRM_KEYS must be set in production (a JSON list of Fernet keys, newest first)")
    path = folder / ".crm-key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(TokenBox.new_key())
    logger.warning("CRM credentials sealed with a development key (%s): set OUTREACH_CRM_KEYS in production", path)
    return TokenBox([path.read_text().strip()])
