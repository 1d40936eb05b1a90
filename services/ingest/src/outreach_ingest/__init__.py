"""outreach_ingest."""
