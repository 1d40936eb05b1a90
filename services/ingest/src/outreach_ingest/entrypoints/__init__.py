"""The ingest HTTP API."""
