"""One function per message or webhook the dialer handles."""
