import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from articles.models import Article
from articles.services import ARTICLES, article_scope
from plumbing.api.filters import MomentFilter
from plumbing.api.schema import BAD_REQUEST, THROTTLED, error
from plumbing.pagecache.recipe import Shared, SharedView

from .pagination import ArticlePagination
from .serializers import ArticleDetailSerializer, ArticleSerializer


class ArticleFilter(django_filters.FilterSet):
    section = django_filters.CharFilter(field_name="section__slug", help_text="Section slug.")
    tag = django_filters.CharFilter(field_name="tags__slug", help_text="Tag slug.")
    published_after = MomentFilter(
        field_name="published_at", lookup_expr="gte", help_text="ISO 8601; inclusive."
    )
    published_before = MomentFilter(
        field_name="published_at", lookup_expr="lt", help_text="ISO 8601; exclusive."
    )

    class Meta:
        model = Article
        fields = ["section", "tag", "published_after", "published_before"]


def public_articles():
    """Published articles with what the API shows, in a fixed number of queries."""
    # Explicit order: Meta.ordering does not apply to aggregating queries.
    return Article.objects.published().for_listing().order_by("-published_at", "-id")


def list_schema(serializer_class):
    return extend_schema_view(
        get=extend_schema(
            summary="Published articles",
            responses={
                200: serializer_class(many=True),
                400: BAD_REQUEST,
                404: error("No such page."),
                429: THROTTLED,
            },
        )
    )


def detail_schema(serializer_class):
    return extend_schema_view(
        get=extend_schema(
            summary="One published article",
            responses={
                200: serializer_class,
                404: error("No such published article."),
                429: THROTTLED,
            },
        )
    )


@list_schema(ArticleSerializer)
class ArticleList(SharedView, generics.ListAPIView):
    """Published articles, newest first. Drafts and scheduled articles never appear."""

    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    pagination_class = ArticlePagination
    shared = Shared(depends_on=lambda **kwargs: [ARTICLES])

    def get_queryset(self):
        return public_articles()


@detail_schema(ArticleDetailSerializer)
class ArticleDetail(SharedView, generics.RetrieveAPIView):
    """One published article with its text. Drafts and scheduled articles are 404."""

    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"
    shared = Shared(depends_on=lambda slug: [article_scope(slug)])

    def get_queryset(self):
        return public_articles()
