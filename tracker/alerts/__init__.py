"""Notifications: each user's choices per kind of event, the in-app list, and the batched alert emails."""
