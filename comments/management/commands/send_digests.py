from django.core.management.base import BaseCommand

from comments.notifications import discussions_with_digests_due
from comments.tasks import send_digests


class Command(BaseCommand):
    help = (
        "Mail the digests due to followers of discussions (COMMENTS_DIGEST_MINUTES); "
        "run it every few minutes from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue one run per discussion for the task worker (DJANGO_TASKS_BACKEND)",
        )

    def handle(self, *args, enqueue, **options):
        articles = discussions_with_digests_due()
        if enqueue:
            for article_id in articles:
                send_digests.enqueue(article_id)
            self.stdout.write(f"Digests of {len(articles)} discussions queued for the worker.")
            return
        # Each discussion claims its digests in its own transaction: a run that
        # overlaps another (or the worker) sends nothing twice.
        sent = sum(send_digests.call(article_id) for article_id in articles)
        self.stdout.write(f"Sent {sent} digests about {len(articles)} discussions.")
