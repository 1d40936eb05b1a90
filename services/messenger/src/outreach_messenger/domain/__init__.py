"""Pure rules of the messenger: templates, reply classification."""
