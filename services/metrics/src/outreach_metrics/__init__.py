"""outreach_metrics."""
