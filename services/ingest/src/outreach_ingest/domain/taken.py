"""The numbers a campaign has already (from its other imports), each as the integer of its E.164 digits:
one sorted array (8 bytes a number), looked up a batch at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def number_keys(phones: pa.Array) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Numbers (E.164) as the ledger and the lookups keep them: the integer of their digits (at most 15)."""
    keys: np.ndarray[Any, np.dtype[np.int64]] = pc.cast(pc.utf8_slice_codeunits(phones, 1), pa.int64()).to_numpy()
    return keys


class TakenNumbers:
    """A set of numbers, built once, asked about many at a time."""

    def __init__(self, parts: Iterable[np.ndarray] = ()) -> None:
        arrays = [np.asarray(part, np.int64) for part in parts]
        self.sorted = np.unique(np.concatenate(arrays)) if arrays else np.empty(0, np.int64)

    def __len__(self) -> int:
        return len(self.sorted)

    def contains(self, numbers: np.ndarray[Any, np.dtype[np.int64]]) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """For each number, whether the set has it."""
        asked = np.asarray(numbers, np.int64)
        if not len(self.sorted) or not len(asked):
            return np.zeros(len(asked), bool)
        at = np.minimum(np.searchsorted(self.sorted, asked), len(self.sorted) - 1)
        found: np.ndarray[Any, np.dtype[np.bool_]] = self.sorted[at] == asked
        return found
