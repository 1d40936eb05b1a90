"""A Twilio-compatible HTTP simulator: the subset of the REST API Outreach uses, with signed callbacks."""
