"""Domain errors that controllers turn into form messages or status codes."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no; the message is shown to the user as is (Chinese)."""


class ValidationFailed(DomainError):
    """Form input broke rules; errors maps field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Conflict(DomainError):
    """The record changed under us (another reviewer decided first, a duplicate...)."""
