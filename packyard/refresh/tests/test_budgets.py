"""Rate budgets per host, kept in the cache: what is recorded, and when requests are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from packyard.refresh.budgets import CacheRateBudget, budget_state, budgets_reset, reserve_for
from packyard.sources.errors import RateLimited
from packyard.sources.types import RateReading

from .conftest import NOW

pytestmark = pytest.mark.usefixtures("frozen")

GITHUB = "api.github.com"
GITLAB = "gitlab.com"


def reading(*, remaining=None, reset_in=None, retry_after=None, limit=5000, cost=1):
    return RateReading(
        limit=limit,
        remaining=remaining,
        reset_at=NOW + reset_in if reset_in is not None else None,
        retry_after=retry_after,
        cost=cost,
    )


@pytest.fixture
def budget(settings):
    settings.RATE_BUDGET_RESERVES = {GITHUB: 100, "*": 5}
    return CacheRateBudget()


def test_readings_are_recorded(budget):
    """Each answer's remaining, limit, reset and cost are kept for the host."""
    budget.release(GITHUB, reading(remaining=4000, reset_in=timedelta(minutes=20)))
    budget.release(GITHUB, reading(remaining=3999, reset_in=timedelta(minutes=20), cost=0))
    budget.release(GITHUB, None)  # A request that got no answer.

    state = budget_state(GITHUB)
    assert (state.remaining, state.limit) == (3999, 5000)
    assert state.reset_at == NOW + timedelta(minutes=20)
    assert (state.requests, state.units_spent) == (3, 1)
    assert state.blocked_until is None


def test_a_reading_without_limit_headers_keeps_what_was_known(budget):
    """An answer without rate headers changes nothing known of the budget."""
    budget.release(GITHUB, reading(remaining=300, reset_in=timedelta(minutes=5)))
    budget.release(GITHUB, RateReading(None, None, None, None, cost=1))

    state = budget_state(GITHUB)
    assert (state.remaining, state.reset_at) == (300, NOW + timedelta(minutes=5))


def test_acquire_goes_above_the_reserve(budget):
    """With more left than the reserve, requests go."""
    budget.release(GITHUB, reading(remaining=101, reset_in=timedelta(minutes=10)))

    budget.acquire(GITHUB)


def test_acquire_refuses_at_the_reserve_until_the_reset(budget, time_machine):
    """At the reserve, requests are refused with the reset time; after it they go again."""
    budget.release(GITHUB, reading(remaining=100, reset_in=timedelta(minutes=10)))

    with pytest.raises(RateLimited) as refused:
        budget.acquire(GITHUB)

    assert refused.value.reset_at == NOW + timedelta(minutes=10)
    assert "100 left" in str(refused.value)
    time_machine.move_to(NOW + timedelta(minutes=10, seconds=1), tick=False)
    budget.acquire(GITHUB)


def test_retry_after_blocks_the_host_for_that_long(budget, time_machine):
    """A Retry-After blocks the host for its seconds, whatever is left."""
    budget.release(GITHUB, reading(remaining=4000, retry_after=90))

    with pytest.raises(RateLimited) as refused:
        budget.acquire(GITHUB)

    assert refused.value.reset_at == NOW + timedelta(seconds=90)
    time_machine.move_to(NOW + timedelta(seconds=89), tick=False)
    with pytest.raises(RateLimited):
        budget.acquire(GITHUB)
    time_machine.move_to(NOW + timedelta(seconds=91), tick=False)
    budget.acquire(GITHUB)


def test_hosts_are_independent(budget):
    """One host's spent budget refuses only that host."""
    budget.release(GITHUB, reading(remaining=0, reset_in=timedelta(hours=1)))
    budget.release(GITLAB, reading(remaining=6, reset_in=timedelta(hours=1)))

    with pytest.raises(RateLimited):
        budget.acquire(GITHUB)
    budget.acquire(GITLAB)
    budget.acquire("codeberg.org")  # Nothing known: requests go.


def test_reserves_per_host_with_a_default(settings):
    """Each host has its reserve; hosts not named get the "*" one."""
    settings.RATE_BUDGET_RESERVES = {GITHUB: 100, "*": 5}

    assert (reserve_for(GITHUB), reserve_for(GITLAB)) == (100, 5)
    settings.RATE_BUDGET_RESERVES = {GITHUB: 100}
    assert reserve_for(GITLAB) == 0


def test_reset_forgets_a_host(budget):
    """Forgetting a host's budget lets its requests go again."""
    budget.release(GITHUB, reading(remaining=0, reset_in=timedelta(hours=1)))

    budgets_reset(GITHUB)

    budget.acquire(GITHUB)
    assert budget_state(GITHUB).remaining is None


def test_budget_is_shared_through_the_cache(budget):
    """A second budget object (another worker process) sees what the first recorded."""
    budget.release(GITLAB, reading(remaining=5, reset_in=timedelta(minutes=3)))

    with pytest.raises(RateLimited):
        CacheRateBudget().acquire(GITLAB)


def test_a_late_answer_does_not_raise_the_remaining_budget():
    """Within one reset window the lowest remaining count wins, whatever order answers arrive."""
    from datetime import UTC, datetime, timedelta

    from packyard.refresh.budgets import CacheRateBudget, budget_state
    from packyard.sources.types import RateReading

    reset = datetime.now(UTC) + timedelta(minutes=30)
    budget = CacheRateBudget()
    for remaining in (90, 70, 80):
        budget.release(
            "late.example",
            RateReading(limit=100, remaining=remaining, reset_at=reset, retry_after=None, cost=1),
        )

    assert budget_state("late.example").remaining == 70
