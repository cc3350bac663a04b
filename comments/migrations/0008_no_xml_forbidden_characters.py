"""Take U+FFFE and U+FFFF out of comments stored before the form and the API
refused them: XML forbids both, and one approved comment holding either made
every comment feed unreadable."""

from django.db import migrations
from django.db.models import Q

FORBIDDEN = ("\ufffe", "\uffff")
FIELDS = ("author_name", "author_url", "body", "body_html")


def strip_forbidden(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    holding = Q()
    for field in FIELDS:
        for char in FORBIDDEN:
            holding |= Q(**{f"{field}__contains": char})
    for comment in Comment.objects.filter(holding).iterator():
        for field in FIELDS:
            value = getattr(comment, field)
            for char in FORBIDDEN:
                value = value.replace(char, "")
            setattr(comment, field, value)
        comment.save(update_fields=[*FIELDS, "fingerprint"])


class Migration(migrations.Migration):
    dependencies = [("comments", "0007_blocklist_version")]

    operations = [migrations.RunPython(strip_forbidden, migrations.RunPython.noop)]
