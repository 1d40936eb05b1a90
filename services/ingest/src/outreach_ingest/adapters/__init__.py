"""MongoDB repositories and upload storage of ingest."""
