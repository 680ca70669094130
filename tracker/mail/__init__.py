"""Email: the outbox, SMTP delivery, event notifications and the weekly status reports."""
