import sys

from django.core.management.base import BaseCommand

from comments.moving import wxr_export


class Command(BaseCommand):
    help = (
        "Write the whole site as a WordPress export (WXR 1.2): articles, sections, tags, "
        "authors, and comments with their threads and statuses. It holds commenters' "
        "e-mail and IP addresses: keep it as safe as the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="the file to write (default: standard output)")

    def handle(self, *args, output, **options):
        if output is None:
            wxr_export.write(sys.stdout)
            return
        with open(output, "w", encoding="utf-8") as out:
            wxr_export.write(out)
        self.stderr.write(f"Written to {output}.")
