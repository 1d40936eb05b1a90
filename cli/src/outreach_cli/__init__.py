"""The `outreach` operator command."""
