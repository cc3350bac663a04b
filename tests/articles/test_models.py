from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, UserFactory, tomorrow, yesterday

pytestmark = pytest.mark.django_db


def test_published_hides_drafts_and_scheduled():
    live = ArticleFactory(published_at=yesterday())
    ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(published_at=tomorrow())

    assert list(Article.objects.published()) == [live]


def test_scheduled_article_becomes_public_when_its_time_comes():
    article = ArticleFactory(published_at=timezone.now() + timedelta(seconds=1))
    assert not article.is_public
    assert article.is_scheduled

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now())

    assert list(Article.objects.published()) == [article]


def test_publishing_without_a_date_stamps_now():
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    before = timezone.now()

    article.status = Article.Status.PUBLISHED
    article.save()

    assert before <= article.published_at <= timezone.now()
    assert article.is_public


def test_first_publication_sets_comment_window_from_setting(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert article.comments_close_at is None

    article.status = Article.Status.PUBLISHED
    article.save()

    assert article.comments_close_at == article.published_at + timedelta(days=14)


def test_editor_can_reopen_comments_after_publication(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    article = ArticleFactory()
    article.refresh_from_db()

    article.comments_close_at = None
    article.save()
    article.refresh_from_db()

    assert article.comments_close_at is None


def test_comment_window_is_open_forever_by_default(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0

    assert ArticleFactory().comments_close_at is None


@pytest.mark.parametrize(
    ("changes", "accepts"),
    [
        ({}, True),
        ({"allow_comments": False}, False),
        ({"comments_close_at": "past"}, False),
        ({"comments_close_at": "future"}, True),
        ({"status": Article.Status.DRAFT}, False),
        ({"published_at": "future"}, False),
    ],
)
def test_accepts_comments(changes, accepts):
    moments = {"past": yesterday(), "future": tomorrow()}
    article = ArticleFactory(**{k: moments.get(v, v) for k, v in changes.items()})

    assert article.accepts_comments() is accepts


def test_body_is_sanitized_on_save():
    article = ArticleFactory(body='<p onclick="steal()">Hi<script>alert(1)</script></p>')
    article.refresh_from_db()

    # The script element is gone; its text stays behind as inert characters.
    assert article.body == "<p>Hialert(1)</p>"


@pytest.mark.parametrize(
    ("byline", "author_names", "expected"),
    [
        ("Moscow bureau", ("Ann", "Lee"), "Moscow bureau"),
        ("", ("Ann", "Lee"), "Ann Lee"),
        # Never the login name: it is half of what an attacker on the admin needs.
        ("", ("", ""), "The Site"),
    ],
)
def test_display_byline(settings, byline, author_names, expected):
    settings.SITE_NAME = "The Site"
    author = UserFactory(username="annlee", first_name=author_names[0], last_name=author_names[1])
    assert ArticleFactory(byline=byline, author=author).display_byline == expected


@pytest.mark.parametrize(
    ("status", "published_at"),
    [
        ("published", "past"),
        ("published", "future"),
        ("published", None),
        ("draft", "past"),
        ("draft", None),
    ],
)
def test_published_and_is_public_are_one_rule(status, published_at):
    moments = {"past": yesterday(), "future": tomorrow(), None: None}
    article = ArticleFactory(status=status, published_at=moments[published_at])
    if published_at is None:  # publishing fills in the date; a stored NULL is still possible
        Article.objects.filter(pk=article.pk).update(published_at=None)
        article.refresh_from_db()

    assert Article.objects.published().filter(pk=article.pk).exists() is article.is_public
