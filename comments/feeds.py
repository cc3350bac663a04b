from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.formats import date_format

from articles.models import Article
from articles.services import COMMENTS, article_scope
from plumbing.pagecache.recipe import Shared
from plumbing.ratelimit import limit_reads

from .models import Comment

FEED_LENGTH = 30
# Only public facts: the e-mail address never reaches a feed, not even loaded.
FEED_FIELDS = (*Comment.PUBLIC_FIELDS, "article__slug", "article__title")


class LatestCommentsFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self):
        return f"{settings.SITE_NAME}: latest comments"

    def link(self):
        return reverse("articles:home")

    def description(self):
        return f"The latest approved comments on {settings.SITE_NAME}."

    def comments(self):
        return (
            Comment.objects.public()
            .select_related("article")
            .only(*FEED_FIELDS)
            .order_by("-created_at", "-id")
        )

    def items(self):
        return self.comments()[:FEED_LENGTH]

    def item_title(self, item):
        role = f" ({item.get_author_role_display()})" if item.author_role else ""
        return f"{item.author_name}{role} on “{item.article.title}”"

    def item_description(self, item):
        if item.edited_at is None:
            return item.body_html
        edited = date_format(timezone.localtime(item.edited_at), "DATETIME_FORMAT")
        return f"{item.body_html}<p><small>(edited {edited})</small></p>"

    def item_updateddate(self, item):
        return item.edited_at

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.author_name

    def item_author_link(self, item):
        return item.author_url or None


class ArticleCommentsFeed(LatestCommentsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, obj):
        return f"Comments on “{obj.title}”"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"Approved comments on “{obj.title}”, newest first."

    def items(self, obj):
        return self.comments().filter(article=obj)[:FEED_LENGTH]


latest_comments_feed = Shared(depends_on=lambda **kwargs: [COMMENTS])(
    limit_reads(LatestCommentsFeed())
)
article_comments_feed = Shared(depends_on=lambda slug: [article_scope(slug)])(
    limit_reads(ArticleCommentsFeed())
)
