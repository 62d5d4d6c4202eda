"""The one error hierarchy of Concord's core and ports.

Adapters translate what they meet (HTTP statuses, driver errors) into these once, at the edge, so
that use cases and services never see a vendor exception.
"""


class ConcordError(Exception):
    """Base of every error Concord raises on purpose."""


class InvalidInput(ConcordError):
    """Data that fails validation: a malformed payload, an impossible value."""


class PolicyError(ConcordError):
    """A reconciliation policy file that cannot be loaded; the message names file, key and reason."""


class PlatformError(ConcordError):
    """A platform call failed; ``details`` is the platform's own error text."""

    def __init__(self, message: str, *, details: str | None = None) -> None:
        super().__init__(message)
        self.details = details


class NotFound(PlatformError):
    """The record does not exist (404)."""


class Conflict(PlatformError):
    """The platform refused the write because of the record's state (409)."""


class Invalid(PlatformError):
    """The platform rejected the request as invalid (400, 422); retrying will not help."""


class AuthFailed(PlatformError):
    """Missing, wrong or expired credentials (401, 403)."""


class RateLimited(PlatformError):
    """Too many requests (429); ``retry_after`` seconds is the platform's own advice when given."""

    def __init__(self, message: str, *, retry_after: float | None = None, details: str | None = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class Unavailable(PlatformError):
    """The platform is down, timed out or answered 5xx; retrying later may help."""


class MalformedResponse(PlatformError):
    """The platform answered with a body that does not parse into the expected record type."""
