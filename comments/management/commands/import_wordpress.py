import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from comments.moving.records import Report
from comments.moving.wordpress import Importer
from comments.moving.wxr import Refused

OUTCOMES = ("created", "updated", "unchanged", "skipped", "refused")


class Command(BaseCommand):
    importer = Importer
    kinds = ("authors", "sections", "tags", "articles", "comments", "redirects", "other items")
    outcomes = OUTCOMES
    help = (
        "Import a WordPress export (WXR 1.0 to 1.2): posts with their comments, authors, "
        "categories and tags, and their old addresses as redirects. Run it again at will: "
        "what was imported is updated, never doubled."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the export file (.xml)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen; write nothing"
        )

    def handle(self, *args, file, dry_run, verbosity, **options):
        show = verbosity >= 1 and sys.stderr.isatty()
        importer = self.importer(file, progress=self._progress if show else None)
        try:
            report = importer.run(dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except Refused as refusal:
            raise CommandError(f"Refused, nothing imported: {refusal}") from None
        except DatabaseError as error:
            done = importer.report
            last = f" (the last one: “{done.last_post}”)" if done.last_post else ""
            raise CommandError(
                f"Stopped by the database ({type(error).__name__}: {error}) after "
                f"{done.posts_done} items{last}. What came before is imported; run the "
                "same command again to go on."
            ) from None
        if show:
            sys.stderr.write("\n")
        if verbosity >= 1:
            self._table(report, dry_run)
            self._more(importer)

    def _more(self, importer) -> None:
        """What else an importer has to say, after the table (nothing here)."""

    def _progress(self, report: Report, total: int) -> None:
        sys.stderr.write(
            f"\r{report.posts_done}/{total} items, "
            f"{sum(report.count('comments', o) for o in OUTCOMES)} comments"
        )
        sys.stderr.flush()

    def _table(self, report: Report, dry_run: bool) -> None:
        write = self.stdout.write
        write("Dry run: nothing was written.\n" if dry_run else "")
        write(f"{'':<12}" + "".join(f"{o:>11}" for o in self.outcomes))
        for kind in self.kinds:
            cells = "".join(f"{report.count(kind, o):>11}" for o in self.outcomes)
            write(f"{kind:<12}{cells}")
        if report.reasons:
            write("\nWhy:")
            for (kind, outcome, reason), count in sorted(report.reasons.items()):
                write(f"  {kind}, {outcome}: {reason} ({count})")
