"""Errors a user can act on. Each carries the CLI exit code of CONTRACT section 2."""

from __future__ import annotations

from collections.abc import Sequence


class PlanbridgeError(Exception):
    """Something the user asked for cannot be done; the message says why."""

    exit_code = 1

    def __init__(self, message: str, *, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = tuple(details)

    def lines(self) -> list[str]:
        return [self.message, *self.details]


class BadRequest(PlanbridgeError):
    """A bad value: zero or negative quantity, malformed or past date, unknown option."""

    exit_code = 2


class DataValidationError(PlanbridgeError):
    """Plant data that cannot be used: every problem is listed in `details`."""

    exit_code = 3


class NotFound(PlanbridgeError):
    """An unknown item, order, resource or user."""

    exit_code = 4


class PermissionDenied(PlanbridgeError):
    """The user's role does not allow this (e.g. approving a rush as a sales rep)."""

    exit_code = 1


class Conflict(PlanbridgeError):
    """The state changed under the request (e.g. a plant already loaded, a request already decided)."""

    exit_code = 1
