"""MongoDB repositories and the telephony provider client."""
