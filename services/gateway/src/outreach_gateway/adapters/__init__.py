"""Gateway adapters."""
