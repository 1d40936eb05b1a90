"""outreach_devstack."""
