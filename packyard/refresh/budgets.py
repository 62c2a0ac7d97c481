"""Rate budgets per host, shared through the cache (Redis in production).

Every response's limit headers are recorded; when a host's remaining budget falls to its
reserve, requests to that host are refused with `RateLimited(reset_at)` until the reset, so
its packages are put off to that time while other hosts go on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from packyard.sources.errors import RateLimited
from packyard.sources.types import RateReading

KEY = "rate-budget:{host}"
_LOCK = threading.Lock()


@dataclass
class BudgetState:
    remaining: int | None = None
    limit: int | None = None
    reset_at: datetime | None = None
    blocked_until: datetime | None = None
    units_spent: int = 0
    requests: int = 0


def budget_state(host: str) -> BudgetState:
    """Return what is known of a host's budget."""
    state = cache.get(KEY.format(host=host))
    return state if isinstance(state, BudgetState) else BudgetState()


def _store(host: str, state: BudgetState) -> None:
    cache.set(KEY.format(host=host), state, timeout=24 * 3600)


def reserve_for(host: str) -> int:
    """Return how many requests are kept in reserve on a host (for people, not the refresh)."""
    reserves: dict[str, int] = settings.RATE_BUDGET_RESERVES
    return reserves.get(host, reserves.get("*", 0))


class CacheRateBudget:
    """The `RateBudget` the refresh gives to source clients."""

    def acquire(self, host: str) -> None:
        """Refuse a request when the host's budget is spent or it asked us to wait."""
        state = budget_state(host)
        now = timezone.now()
        if state.blocked_until and state.blocked_until > now:
            raise RateLimited(f"{host} asked to wait", reset_at=state.blocked_until)
        if (
            state.remaining is not None
            and state.reset_at is not None
            and state.reset_at > now
            and state.remaining <= reserve_for(host)
        ):
            raise RateLimited(
                f"{host}'s rate budget is spent ({state.remaining} left)", reset_at=state.reset_at
            )

    def release(self, host: str, reading: RateReading | None) -> None:
        """Record a response's rate headers.

        Answers arrive out of order from parallel requests: within one reset window the
        lowest remaining count wins, so a late answer never raises the budget again. The
        lock keeps this process's threads from losing each other's updates; other processes
        share the state through the cache, where the lowest-count rule still holds.
        """
        with _LOCK:
            state = budget_state(host)
            state.requests += 1
            if reading is not None:
                state.units_spent += reading.cost
                same_window = reading.reset_at is None or reading.reset_at == state.reset_at
                if reading.remaining is not None:
                    if same_window and state.remaining is not None:
                        state.remaining = min(state.remaining, reading.remaining)
                    else:
                        state.remaining = reading.remaining
                if reading.limit is not None:
                    state.limit = reading.limit
                if reading.reset_at is not None:
                    state.reset_at = reading.reset_at
                if reading.retry_after:
                    state.blocked_until = timezone.now() + timedelta(seconds=reading.retry_after)
            _store(host, state)


def budgets_reset(host: str) -> None:
    """Forget what is known of a host's budget."""
    cache.delete(KEY.format(host=host))
