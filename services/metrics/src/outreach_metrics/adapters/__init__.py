"""MongoDB projections of the metrics service."""
