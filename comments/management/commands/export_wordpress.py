from django.core.management.base import BaseCommand, CommandError

from comments.moving import wxr_export
from comments.moving.export import to_private_file


class Command(BaseCommand):
    help = (
        "Write the whole site as a WordPress export (WXR 1.2): articles, sections, tags, "
        "authors, and comments with their threads and statuses. It holds commenters' "
        "e-mail and IP addresses: keep it as safe as the database."
    )

    def add_arguments(self, parser):
        # A file, not standard output, which the site's logs share.
        parser.add_argument("--output", "-o", metavar="FILE", required=True)

    def handle(self, *args, output, verbosity, **options):
        try:
            to_private_file(output, wxr_export.write)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from None
        if verbosity >= 1:
            self.stderr.write(f"Written to {output}.")
