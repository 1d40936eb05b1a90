"""outreach_dialer."""
