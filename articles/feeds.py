from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed

from plumbing.pagecache.recipe import Shared
from plumbing.ratelimit import limit_reads

from .models import Article
from .services import ARTICLES

FEED_LENGTH = 30


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self):
        return f"{settings.SITE_NAME}: latest articles"

    def link(self):
        return reverse("articles:home")

    def description(self):
        return f"The latest articles published on {settings.SITE_NAME}."

    def items(self):
        return Article.objects.published().for_listing()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.display_byline

    def item_categories(self, item):
        return [item.section.name, *(tag.name for tag in item.tags.all())]


latest_articles_feed = Shared(depends_on=lambda **kwargs: [ARTICLES])(
    limit_reads(LatestArticlesFeed())
)
