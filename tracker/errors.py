"""The errors domain functions raise: the message is for the user (lazily translated), the field says where."""


class DomainError(Exception):
    """A rule refused the action; nothing was changed that the caller may keep."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleTicket(DomainError):
    """The ticket changed since the form was loaded (optimistic locking)."""
