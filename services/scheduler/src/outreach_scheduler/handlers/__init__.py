"""One function per message the scheduler handles."""
