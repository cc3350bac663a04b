"""The comments' admin: the moderation queue (queue.py) and the blocklist."""

from .blocklist import BlockedTermAdmin
from .queue import CappedCountPaginator, CommentAdmin

__all__ = ["BlockedTermAdmin", "CappedCountPaginator", "CommentAdmin"]
