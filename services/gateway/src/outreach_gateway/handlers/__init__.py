"""Gateway handlers."""
