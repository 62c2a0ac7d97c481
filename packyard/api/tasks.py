"""Background jobs of the API: the bulk dump, written again every night.

The scheduler (`manage.py crontask`) runs `dump_export_task` daily; /dump/ serves what it wrote.
"""

from __future__ import annotations

from django.tasks import task

from packyard.api.dump.services import dump_export
from packyard.core.schedule import cron


@cron("10 1 * * *")
@task()
def dump_export_task() -> int:
    """Write the bulk dump to DUMP_ROOT; return how many records it holds."""
    manifest = dump_export()
    return sum(file.records for file in manifest.files)
