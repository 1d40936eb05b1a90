"""Records of a file to verdicts: normalise each batch on its columns, then mark repeated phone numbers
as duplicates of the first row that had them.

The import job and `outreach contacts check` both run this, so they give the same verdicts.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from outreach_ingest.domain.batches import RecordBatch
from outreach_ingest.domain.duplicates import FirstRows, NumbersInMemory, mark_duplicates
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.normalise import VerdictBatch, normalise

AHEAD = 1  # batches normalised (Arrow's kernels, without the GIL) while the caller reads the next one


def verdict_batches(
    batches: Iterable[RecordBatch],
    mapping: Mapping,
    *,
    default_region: str = "US",
    skip_duplicates: bool = True,
    seen: FirstRows | None = None,
) -> Iterator[tuple[RecordBatch, VerdictBatch]]:
    """Each batch of records with its verdicts; `seen` (number -> first row) carries across calls."""
    first_rows = NumbersInMemory() if seen is None else seen
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="normalise") as pool:
        ahead: deque[tuple[RecordBatch, Future[VerdictBatch]]] = deque()
        for batch in itertools.chain(batches, [None]):
            if batch is not None:
                ahead.append((batch, pool.submit(normalise, batch, mapping, default_region=default_region)))
            while ahead and (len(ahead) > AHEAD or batch is None):
                done, found = ahead.popleft()
                verdicts = found.result()
                if skip_duplicates:
                    mark_duplicates(verdicts, first_rows)
                yield done, verdicts
