"""The dialer's subscribers and HTTP API."""
