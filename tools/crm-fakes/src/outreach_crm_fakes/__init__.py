"""Fake CRM servers."""
