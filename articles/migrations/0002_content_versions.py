"""Give every existing article a content version, so its pages can be shared at once."""

import secrets
import time

from django.db import migrations


def create_versions(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Version = apps.get_model("pagecache", "Version")
    now = time.time()
    scopes = ["articles", "comments"]
    scopes += [f"article:{slug}" for slug in Article.objects.values_list("slug", flat=True)]
    Version.objects.bulk_create(
        [Version(scope=scope, token=secrets.randbits(63), changed=now) for scope in scopes],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("pagecache", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_versions, migrations.RunPython.noop)]
