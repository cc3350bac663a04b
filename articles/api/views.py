import django_filters
from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from articles import versioning
from articles.models import Article
from comments.models import Comment
from newsroom.api import (
    BAD_REQUEST,
    THROTTLED,
    ArticlePagination,
    ConditionalGetMixin,
    MomentFilter,
    PublicCacheHeadersMixin,
    error,
)

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
    approved = Q(comments__status=Comment.Status.APPROVED)
    return (
        Article.objects.published()
        .for_listing()
        .annotate(comment_count=Count("comments", filter=approved, distinct=True))
        # Explicit: Meta.ordering does not apply to aggregating queries.
        .order_by("-published_at", "-id")
    )


@extend_schema_view(
    get=extend_schema(
        summary="Published articles",
        responses={
            200: ArticleSerializer(many=True),
            400: BAD_REQUEST,
            404: error("No such page."),
            429: THROTTLED,
        },
    )
)
class ArticleList(PublicCacheHeadersMixin, ConditionalGetMixin, generics.ListAPIView):
    """Published articles, newest first. Drafts and scheduled articles never appear."""

    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    pagination_class = ArticlePagination

    def get_queryset(self):
        return public_articles()

    @staticmethod
    def version_of(**kwargs):
        return versioning.current_version()


@extend_schema_view(
    get=extend_schema(
        summary="One published article",
        responses={
            200: ArticleDetailSerializer,
            404: error("No such published article."),
            429: THROTTLED,
        },
    )
)
class ArticleDetail(PublicCacheHeadersMixin, ConditionalGetMixin, generics.RetrieveAPIView):
    """One published article with its text. Drafts and scheduled articles are 404."""

    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return public_articles()

    @staticmethod
    def version_of(slug, **kwargs):
        return versioning.public_article_version(slug)
