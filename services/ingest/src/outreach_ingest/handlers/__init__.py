"""Import jobs and do-not-call handling."""
