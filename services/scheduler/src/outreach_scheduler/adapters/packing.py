"""What the due index and the roster share: per-campaign entries made on first use, and the parts a reload
staged (contact ids as fixed-width bytes, with one value each) joined into one run."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt

Ids = npt.NDArray[np.bytes_]
T = TypeVar("T")
V = TypeVar("V", bound=np.generic)


def made(table: dict[str, T], key: str, make: Callable[[], T]) -> T:
    """`table[key]`, made on first use (not a new one per call: notes and reloads run per contact)."""
    found = table.get(key)
    if found is None:
        found = table[key] = make()
    return found


def joined(parts: list[tuple[Ids, npt.NDArray[V]]]) -> tuple[Ids, npt.NDArray[V]]:
    """The parts in their order as two arrays: ids widened to the widest part's width (copies only where
    widths differ, so the peak stays low), and their values."""
    width = max(ids.dtype.itemsize for ids, _ in parts)
    ids = np.concatenate([i.astype(f"S{width}", copy=False) for i, _ in parts])
    return ids, np.concatenate([values for _, values in parts])
