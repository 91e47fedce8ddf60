"""Errors a domain raises when it refuses something; consumers dead-letter them, APIs show them."""


class Refused(Exception):
    """A rule refused an action or a message. The message is shown to people as it is.

    ``file`` names the uploaded file the error is in when several were uploaded together."""

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None,
                 file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row
        self.file = file


class NotFound(Refused):
    """The thing asked for does not exist."""
