"""The blocklist's content version: every process keeps the list in memory and
reads it again only when an editor changes it (comments.moderation.blocked_terms)."""

import secrets
import time

from django.db import migrations


def create_version(apps, schema_editor):
    Version = apps.get_model("pagecache", "Version")
    Version.objects.get_or_create(
        scope="blocklist", defaults={"token": secrets.randbits(63), "changed": time.time()}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0006_article_covered_by_thread_index"),
        ("pagecache", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_version, migrations.RunPython.noop)]
