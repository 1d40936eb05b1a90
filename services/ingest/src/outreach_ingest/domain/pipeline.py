"""Records of a file to verdicts: normalise each batch on its columns, then mark repeated phone numbers
as duplicates of the first row that had them.

The import job and `outreach contacts check` both run this, so they give the same verdicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from outreach_ingest.domain.batches import RecordBatch
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.normalise import VerdictBatch, mark_duplicates, normalise
from outreach_ingest.domain.seen import SeenNumbers


def verdict_batches(
    batches: Iterable[RecordBatch],
    mapping: Mapping,
    *,
    default_region: str = "US",
    skip_duplicates: bool = True,
    seen: SeenNumbers | None = None,
) -> Iterator[tuple[RecordBatch, VerdictBatch]]:
    """Each batch of records with its verdicts; `seen` (number -> first row) carries across calls."""
    first_rows = SeenNumbers() if seen is None else seen
    for batch in batches:
        verdicts = normalise(batch, mapping, default_region=default_region)
        if skip_duplicates:
            mark_duplicates(verdicts, first_rows)
        yield batch, verdicts
