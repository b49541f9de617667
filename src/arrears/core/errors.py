"""Errors that carry a message meant for a person, never a traceback."""

from __future__ import annotations


class ArrearsError(Exception):
    """A failure to report to the user in one line (CLI exit code 2, API 4xx)."""


class NotFound(ArrearsError):
    """The thing asked for does not exist (or is outside the caller's scope)."""


class InvalidInput(ArrearsError):
    """Input that cannot be accepted; ``field`` names the offending field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Forbidden(ArrearsError):
    """The caller is signed in but may not do this (API 403)."""
