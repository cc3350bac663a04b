"""The articles API with what the comments app knows of each article: how many
approved comments it has and where to read them.

articles.api knows nothing of comments; the site wires these subclasses
in its place (newsroom/urls.py).
"""

from django.db.models import Count, Q
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.api import views
from articles.api.serializers import ArticleDetailSerializer, ArticleSerializer
from articles.services import ARTICLES, COMMENTS
from comments.models import Comment
from plumbing.pagecache.recipe import Shared

COMMENT_FIELDS = ["comments_url", "comment_count"]


def _with_comment_fields(fields: list[str]) -> list[str]:
    # Just after "url", where clients have always found them.
    at = fields.index("url") + 1
    return [*fields[:at], *COMMENT_FIELDS, *fields[at:]]


class CommentFields(serializers.Serializer):
    comments_url = serializers.SerializerMethodField(help_text="Its approved comments (API).")
    comment_count = serializers.IntegerField(
        read_only=True, help_text="Approved comments under the article."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_comments_url(self, article) -> str:
        path = reverse("api:article-comments", kwargs={"slug": article.slug})
        return self.context["request"].build_absolute_uri(path)


class ArticleWithComments(CommentFields, ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = _with_comment_fields(ArticleSerializer.Meta.fields)


class ArticleDetailWithComments(CommentFields, ArticleDetailSerializer):
    class Meta(ArticleDetailSerializer.Meta):
        fields = _with_comment_fields(ArticleDetailSerializer.Meta.fields)


def with_comment_counts(articles):
    approved = Q(comments__status=Comment.Status.APPROVED)
    return articles.annotate(comment_count=Count("comments", filter=approved, distinct=True))


@views.list_schema(ArticleWithComments)
class ArticleList(views.ArticleList):
    __doc__ = views.ArticleList.__doc__
    serializer_class = ArticleWithComments
    # Every approved comment changes a count in the list.
    shared = Shared(depends_on=lambda **kwargs: [ARTICLES, COMMENTS])

    def get_queryset(self):
        return with_comment_counts(super().get_queryset())


@views.detail_schema(ArticleDetailWithComments)
class ArticleDetail(views.ArticleDetail):
    __doc__ = views.ArticleDetail.__doc__
    serializer_class = ArticleDetailWithComments

    def get_queryset(self):
        return with_comment_counts(super().get_queryset())
