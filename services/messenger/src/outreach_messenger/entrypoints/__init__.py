"""Subscribers and webhooks."""
