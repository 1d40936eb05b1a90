"""The gateway: the one public HTTP surface (identity, workspaces, routing to the services)."""
