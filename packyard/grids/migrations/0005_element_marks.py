"""Store the tick, cross or question mark of every cell whose whole text is one (`+`, `yes`,
`-`, `no`, `?`), as writes do from now on (grids.services.element_html)."""

from django.db import migrations
from django.db.models.functions import Length

# The live renderer, as in 0003: the stored HTML must be what the services store.
from packyard.core.markup import MARK_TEXT_LIMIT, render_cell


def draw_marks(apps, schema_editor):
    Element = apps.get_model("grids", "Element")
    # Only short cells can be marks: the look-up reads those, not every cell's text.
    short = (
        Element.objects.annotate(length=Length("text"))
        .filter(length__lte=MARK_TEXT_LIMIT)
        .only("pk", "text", "text_html")
    )
    changed = []
    for element in short.iterator(chunk_size=1000):
        html = render_cell(element.text)
        if html != element.text_html:
            element.text_html = html
            changed.append(element)
    Element.objects.bulk_update(changed, ["text_html"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("grids", "0004_element_version")]

    operations = [migrations.RunPython(draw_marks, migrations.RunPython.noop, elidable=True)]
