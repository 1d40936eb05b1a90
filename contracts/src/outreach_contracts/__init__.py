"""Outreach event and command schemas shared by every service (frozen pydantic models)."""
