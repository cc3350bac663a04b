from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article, Section, Tag


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["slug", "name"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["slug", "name"]


class ArticleSerializer(serializers.ModelSerializer):
    section = SectionSerializer(read_only=True)
    tags = TagSerializer(many=True, read_only=True)
    author = serializers.CharField(
        source="display_byline", read_only=True, help_text="The byline shown to readers."
    )
    url = serializers.SerializerMethodField(help_text="The article's page on the site.")
    comments_open = serializers.SerializerMethodField(
        help_text="Whether the article accepts new comments now."
    )

    class Meta:
        model = Article
        fields = [
            "slug",
            "title",
            "summary",
            "section",
            "tags",
            "author",
            "published_at",
            "updated_at",
            "url",
            "comments_open",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, article) -> str:
        return self.context["request"].build_absolute_uri(article.get_absolute_url())

    def get_comments_open(self, article) -> bool:
        return article.accepts_comments()


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.CharField(
        source="body", read_only=True, help_text="Sanitized HTML of the article's text."
    )

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body_html"]
