"""The index holds the release cycles each package works with, read from compatibility answers.

No schema change: the triggers that fill the index (installed after every `migrate`, see
packyard/search/signals.py) read `compatibility_packagecompatibility`, so the index comes after
that table; and since a migration ran, `migrate` rebuilds the index of an existing site.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_search_index"),
        ("compatibility", "0001_initial"),
    ]

    operations = []
