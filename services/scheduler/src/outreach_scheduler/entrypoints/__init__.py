"""The scheduler's FastStream subscribers and HTTP API."""
