"""Uploaded files to storage, streamed in chunks (never whole in memory)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import BinaryIO

from fastapi import UploadFile

CHUNK = 1 << 20


def _copy(source: BinaryIO, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    source.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK)


async def store_upload(file: UploadFile, path: Path) -> None:
    """Copy the (already spooled) upload to `path`."""
    await asyncio.to_thread(_copy, file.file, path)
