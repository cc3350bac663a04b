import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from newsroom.db import PreparedQuery
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def by_author(article, email):
    return (
        Comment.objects.filter(article_id=article, author_email=email)
        .values_list("pk", "author_name")
        .order_by("pk")
    )


def test_prepared_query_binds_new_values_on_each_run(django_assert_num_queries):
    first, second = ArticleFactory(), ArticleFactory()
    ada = CommentFactory(article=first, author_email="ada@example.org", author_name="Ada")
    CommentFactory(article=first, author_email="bo@example.org")
    bo = CommentFactory(article=second, author_email="bo@example.org", author_name="Bo")
    query = PreparedQuery(by_author, article=1, email="")

    assert query.rows(article=first.pk, email="ada@example.org") == [(ada.pk, "Ada")]
    with django_assert_num_queries(1):
        assert query.rows(article=second.pk, email="bo@example.org") == [(bo.pk, "Bo")]
    assert query.rows(article=second.pk, email="ada@example.org") == []


def test_prepared_query_values_are_parameters_not_sql():
    CommentFactory(author_email="ada@example.org")
    query = PreparedQuery(by_author, article=1, email="")

    assert query.rows(article=1, email="' OR '1'='1") == []


def test_prepared_query_refuses_a_build_that_depends_on_the_moment():
    def live(slug):
        return Article.objects.filter(slug=slug, published_at__lte=timezone.now()).values_list("pk")

    with pytest.raises(ImproperlyConfigured, match="change between builds"):
        PreparedQuery(live, slug="").rows(slug="news")


def test_prepared_query_refuses_a_parameter_it_cannot_bind():
    def containing(text):
        return Comment.objects.filter(body__contains=text).values_list("pk")

    with pytest.raises(ImproperlyConfigured, match="exact match"):
        PreparedQuery(containing, text="").rows(text="spam")
