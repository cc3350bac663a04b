"""The comments' admin: the moderation queue (queue.py), the blocklist,
requests for a commenter's data (privacy.py), and the addresses that asked for
mail (subscribers.py)."""

from .blocklist import BlockedTermAdmin
from .privacy import DataRequestAdmin
from .queue import CappedCountPaginator, CommentAdmin
from .subscribers import SubscriberAdmin

__all__ = [
    "BlockedTermAdmin",
    "CappedCountPaginator",
    "CommentAdmin",
    "DataRequestAdmin",
    "SubscriberAdmin",
]
