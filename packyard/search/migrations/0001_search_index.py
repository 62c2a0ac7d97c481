"""Create the search index's tables: SQLite FTS5 tables, or PostgreSQL tsvector tables and pg_trgm.

The triggers that fill them are installed after every `migrate` (see packyard/search/signals.py).
"""

from django.db import migrations


def create_index(apps, schema_editor):
    from packyard.search import schema

    schema.create_tables(schema_editor.connection)


def drop_index(apps, schema_editor):
    from packyard.search import schema

    schema.drop_tables(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_package_changelog_url_package_pypi_keywords_and_more"),
        ("grids", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
