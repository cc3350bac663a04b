import sys

from django.core.management.base import BaseCommand, CommandError

from comments.notifications import mark_bounced


class Command(BaseCommand):
    help = (
        "Stop all mail to addresses whose mail bounced, for a bounce processor: give "
        "them as arguments, or one a line on standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("addresses", nargs="*", metavar="ADDRESS")

    def handle(self, *args, addresses, **options):
        if not addresses and not sys.stdin.isatty():
            addresses = [line.strip() for line in sys.stdin]
        addresses = [address for address in addresses if address]
        if not addresses:
            raise CommandError("Give the addresses that bounced, or pipe them in, one a line.")
        stopped = mark_bounced(addresses)
        # How many of them the site knew, never which: the output may end up in logs.
        self.stdout.write(f"Stopped mail to {stopped} of {len(addresses)} addresses.")
