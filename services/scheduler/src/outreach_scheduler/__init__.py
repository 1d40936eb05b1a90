"""outreach_scheduler."""
