"""outreach_cli."""
