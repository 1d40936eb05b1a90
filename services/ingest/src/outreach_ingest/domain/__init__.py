"""Pure rules of ingest: CSV dialect detection, normalisation, per-row verdicts."""
