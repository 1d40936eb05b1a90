"""Pure rules of the dialer: outcome normalisation, caller id choice, pacing."""
