from comments.moving.disqus import Importer

from .import_wordpress import OUTCOMES
from .import_wordpress import Command as ImportCommand


class Command(ImportCommand):
    importer = Importer
    kinds = ("threads", "comments")
    outcomes = ("matched", "unmatched", *OUTCOMES)
    help = (
        "Import a Disqus export: threads are matched to articles by their links (old "
        "addresses kept by a WordPress import, or the articles' own), posts become replies "
        "under them. Threads that match no article are listed, not invented. Run it again "
        "at will: what was imported is updated, never doubled."
    )

    def _more(self, importer) -> None:
        if importer.unmatched:
            self.stdout.write("\nThreads that match no article (their posts were skipped):")
            for link in importer.unmatched:
                self.stdout.write(f"  {link}")
