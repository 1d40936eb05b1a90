"""One function per command or webhook."""
