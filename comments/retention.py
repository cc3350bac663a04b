"""Personal data kept no longer than it serves: the addresses and user agents of
replies.

They serve the rules that look at recent traffic (the flood limit, duplicates
from one sender, the blocklist's addresses) and a moderator who looks into a
recent reply. After COMMENTS_IP_RETENTION_DAYS they are erased, in batches
so that a large backlog never holds long locks; with COMMENTS_KEEP_NETWORK the
address's /24 or /48 stays for moderators. `manage.py purge_personal_data`
runs it, by hand, from cron or a systemd timer, or queued for the task worker.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Comment, network_of
from .privacy import forget_expired_links

logger = logging.getLogger(__name__)

BATCH = 5_000


@dataclass(frozen=True)
class Purged:
    replies: int
    batches: int
    before: datetime | None  # replies sent before this moment were purged; None: off


def purge_personal_data(*, now: datetime | None = None, batch: int = BATCH) -> Purged:
    """Erase the address and user agent of every reply older than the retention
    limit that still has them (and mark it purged). Safe to run at any time and
    as often as wanted: each batch commits on its own, and a batch finds only
    replies not purged yet (comment_unpurged_idx)."""
    now = now or timezone.now()
    forget_expired_links(now=now)  # and the addresses they were for
    days = settings.COMMENTS_IP_RETENTION_DAYS
    if days <= 0:
        return Purged(0, 0, None)
    before = now - timedelta(days=days)
    keep_network = settings.COMMENTS_KEEP_NETWORK
    replies = batches = 0
    while True:
        with transaction.atomic():
            ids = list(
                Comment.objects.filter(purged_at__isnull=True, created_at__lt=before)
                .order_by("created_at")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            rows = Comment.objects.filter(pk__in=ids)
            if keep_network:
                _note_networks(rows)
            erased = {"ip_address": None, "user_agent": "", "purged_at": now}
            if not keep_network:
                erased["ip_network"] = ""
            rows.update(**erased)
        replies += len(ids)
        batches += 1
    if replies:
        logger.info(
            "Personal data purged", extra={"replies": replies, "batches": batches, "days": days}
        )
    return Purged(replies, batches, before)


def _note_networks(rows) -> None:
    """Replies saved before networks were noted get theirs before the address goes."""
    by_network = defaultdict(list)
    for pk, address in rows.filter(ip_network="", ip_address__isnull=False).values_list(
        "pk", "ip_address"
    ):
        by_network[network_of(address)].append(pk)
    for network, pks in by_network.items():
        Comment.objects.filter(pk__in=pks).update(ip_network=network)
