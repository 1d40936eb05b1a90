"""One projection function per event type."""
