from django.core.management.base import BaseCommand, CommandError

from comments.moving.export import to_private_file, write_export


class Command(BaseCommand):
    help = (
        "Write everything the site holds (sections, tags, articles, comments with their "
        "private fields, moderation events, revisions, the blocklist and old links) as one "
        "JSON document, for a backup or for moving elsewhere. It holds personal data: "
        "keep it as safe as the database."
    )

    def add_arguments(self, parser):
        # A file, not standard output, which the site's logs share.
        parser.add_argument("--output", "-o", metavar="FILE", required=True)

    def handle(self, *args, output, verbosity, **options):
        try:
            counts = to_private_file(output, write_export)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from None
        if verbosity >= 1:
            kinds = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in counts.items())
            self.stderr.write(f"Exported {kinds} to {output}.")
