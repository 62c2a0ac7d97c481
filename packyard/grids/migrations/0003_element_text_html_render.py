"""Render the text of every existing cell into its stored HTML (once; writes keep it since)."""

from django.db import migrations

# The live renderer, not a frozen copy: the stored HTML must be byte-identical to what the
# grid's `markdown` filter showed until now, and to what the services store from now on.
from packyard.core.markup import render_markdown

BATCH = 1000


def render_cells(apps, schema_editor):
    Element = apps.get_model("grids", "Element")
    batch = []
    for element in Element.objects.only("pk", "text").order_by("pk").iterator(chunk_size=BATCH):
        element.text_html = render_markdown(element.text)
        batch.append(element)
        if len(batch) == BATCH:
            Element.objects.bulk_update(batch, ["text_html"])
            batch = []
    Element.objects.bulk_update(batch, ["text_html"])


def forget_cells(apps, schema_editor):
    apps.get_model("grids", "Element").objects.update(text_html="")


class Migration(migrations.Migration):
    dependencies = [("grids", "0002_element_text_html")]

    operations = [migrations.RunPython(render_cells, forget_cells, elidable=True)]
