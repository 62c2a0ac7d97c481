"""Typed errors every source client raises, so the refresh layer can act on each kind."""

from __future__ import annotations

from datetime import datetime


class SourceError(Exception):
    """A fetch that did not give facts."""

    retryable = True

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotFound(SourceError):
    """The repository or project does not exist (HTTP 404)."""

    retryable = False


class Gone(SourceError):
    """The repository or project was removed for good (HTTP 410, or blocked by the host)."""

    retryable = False


class RateLimited(SourceError):
    """The host's rate limit is spent until `reset_at` (HTTP 403/429 with rate headers)."""

    def __init__(self, message: str, *, reset_at: datetime, status: int | None = None) -> None:
        super().__init__(message, status=status)
        self.reset_at = reset_at


class UpstreamError(SourceError):
    """The host failed: a 5xx, a timeout, a refused connection or an answer that is not JSON."""
