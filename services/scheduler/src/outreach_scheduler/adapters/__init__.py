"""MongoDB repositories of the scheduler."""
