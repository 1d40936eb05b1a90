"""outreach_messenger."""
