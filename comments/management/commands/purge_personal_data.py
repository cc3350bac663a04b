from django.core.management.base import BaseCommand, CommandError

from comments.retention import BATCH, purge_personal_data
from comments.tasks import purge_personal_data as purge_task


class Command(BaseCommand):
    help = (
        "Erase the IP address and user agent of replies older than "
        "COMMENTS_IP_RETENTION_DAYS (run it daily: cron, a systemd timer, or --enqueue)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH, help="replies per transaction")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the purge for the task worker (DJANGO_TASKS_BACKEND) instead",
        )

    def handle(self, *args, batch, enqueue, **options):
        if enqueue:
            result = purge_task.enqueue()
            self.stdout.write(f"Purge queued for the task worker ({result.id}).")
            return
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        purged = purge_personal_data(batch=batch)
        if purged.before is None:
            self.stdout.write("COMMENTS_IP_RETENTION_DAYS is 0: addresses are kept.")
            return
        self.stdout.write(
            f"Purged the address and user agent of {purged.replies} replies sent before "
            f"{purged.before:%Y-%m-%d %H:%M} UTC, in {purged.batches} batches."
        )
