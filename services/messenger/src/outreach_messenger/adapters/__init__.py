"""Message log repository and providers (Twilio SMS, SMTP)."""
