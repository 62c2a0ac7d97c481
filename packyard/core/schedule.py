"""The scheduler's decorator, typed: `@cron("20 0 * * *")` above a `@task()` has the scheduler
(`manage.py crontask`) enqueue that task on the schedule.

crontask's own decorator is untyped; it returns the task it was given.
https://github.com/codingjoe/django-crontask
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from crontask import cron as _cron

cron = cast("Callable[[str], Callable[[Any], Any]]", _cron)
