"""The comments' admin: the moderation queue (queue.py), the blocklist,
requests for a commenter's data (privacy.py), the addresses that asked for
mail (subscribers.py), and one article's comments to download from its page
(article_comments.py, which extends the articles' ArticleAdmin)."""

from .article_comments import ArticleAdmin
from .blocklist import BlockedTermAdmin
from .privacy import DataRequestAdmin
from .queue import CappedCountPaginator, CommentAdmin
from .subscribers import SubscriberAdmin

__all__ = [
    "ArticleAdmin",
    "BlockedTermAdmin",
    "CappedCountPaginator",
    "CommentAdmin",
    "DataRequestAdmin",
    "SubscriberAdmin",
]
