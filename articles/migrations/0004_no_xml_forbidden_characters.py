"""Take U+FFFE and U+FFFF out of articles, sections and tags saved before their
fields refused them: XML forbids both, and the feeds show these fields."""

from django.db import migrations
from django.db.models import Q

FORBIDDEN = ("\ufffe", "\uffff")
FIELDS = {
    "Article": ("title", "summary", "byline", "body"),
    "Section": ("name", "description"),
    "Tag": ("name",),
}


def strip_forbidden(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("articles", model_name)
        holding = Q()
        for field in fields:
            for char in FORBIDDEN:
                holding |= Q(**{f"{field}__contains": char})
        for row in model.objects.filter(holding).iterator():
            for field in fields:
                value = getattr(row, field)
                for char in FORBIDDEN:
                    value = value.replace(char, "")
                setattr(row, field, value)
            row.save(update_fields=list(fields))


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_text_fields")]

    operations = [migrations.RunPython(strip_forbidden, migrations.RunPython.noop)]
