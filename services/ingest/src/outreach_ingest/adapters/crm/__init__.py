"""CRM connectors: one module per CRM over the shared HTTP client (rate limits, retries, refused tokens)."""
