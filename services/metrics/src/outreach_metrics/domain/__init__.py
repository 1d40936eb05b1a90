"""Pure projection rules of the metrics service."""
