"""Subscribers and the overview API."""
