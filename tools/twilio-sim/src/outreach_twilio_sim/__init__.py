"""outreach_twilio_sim."""
