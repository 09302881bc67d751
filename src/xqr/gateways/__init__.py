"""Gateways to the outside world: each a protocol, an offline backend for development, a real one."""

from __future__ import annotations


class SendFailed(Exception):
    """A message was not accepted by the provider.

    `permanent` says that trying again cannot help (a refused recipient, a
    template the provider does not know): the outbox then gives up at once
    instead of backing off, and an operator may retry after fixing the cause.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
