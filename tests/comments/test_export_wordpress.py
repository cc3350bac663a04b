"""`manage.py export_wordpress` writes a WXR 1.2 file; importing it into an empty
database gives back every article, comment, parent, status and date."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, Section, Tag
from comments.models import Comment
from comments.moving import wxr
from tests.factories import ArticleFactory, CommentFactory, TagFactory
from tests.shared_data import shared_file

pytestmark = pytest.mark.django_db


def export(tmp_path):
    path = tmp_path / "export.xml"
    call_command("export_wordpress", "--output", str(path), stderr=io.StringIO())
    return path


def empty_the_database():
    Comment.objects.all().delete()
    Article.objects.all().delete()
    Section.objects.all().delete()
    Tag.objects.all().delete()


def site():
    """Every article and comment as plain values, by what survives a move (not ids)."""
    articles = {
        a.slug: (
            a.title,
            a.status,
            a.published_at.replace(microsecond=0) if a.published_at else None,
            a.body,
            a.summary,
            a.section.slug,
            sorted(a.tags.values_list("slug", flat=True)),
            a.allow_comments,
        )
        for a in Article.objects.select_related("section")
    }

    def name(comment):
        return (comment.article.slug, comment.created_at.replace(microsecond=0), comment.body)

    comments = {
        name(c): (
            name(c.parent) if c.parent else None,
            c.status,
            c.author_name,
            c.author_email,
            c.author_url,
            str(c.ip_address or ""),
            c.body_html,
            c.depth,
        )
        for c in Comment.objects.select_related("article", "parent__article")
    }
    return articles, comments


def test_a_round_trip_keeps_every_article_comment_parent_status_and_date(tmp_path):
    now = timezone.now()
    tags = TagFactory.create_batch(2)
    published = ArticleFactory(title="Harbour <reopens> & more", summary="Boats again.")
    published.tags.set(tags)
    ArticleFactory(status="draft", published_at=None, allow_comments=False)
    ArticleFactory(published_at=now + timedelta(days=3))  # scheduled
    root = CommentFactory(
        article=published, body="Words with ]]> inside, & <b>bold</b>.", ip_address="2001:db8::1"
    )
    answer = CommentFactory(article=published, parent=root, author_url="https://a.example/")
    CommentFactory(article=published, parent=answer, status="pending")
    for status in ("spam", "removed", "deleted"):
        CommentFactory(article=published, status=status, body=f"A {status} reply.")
    before = site()

    path = export(tmp_path)
    empty_the_database()
    call_command("import_wordpress", str(path), stdout=io.StringIO())

    assert site() == before
    assert wxr.check(path).comments == 6


def test_the_real_export_comes_back_the_same_after_a_round_trip(tmp_path):
    call_command(
        "import_wordpress", str(shared_file("wordpress-theme-unit-test.xml")), stdout=io.StringIO()
    )
    before = site()

    path = export(tmp_path)
    empty_the_database()
    call_command("import_wordpress", str(path), stdout=io.StringIO())

    assert site() == before
    assert len(before[0]) == 51
    assert len(before[1]) == 23


def test_characters_xml_forbids_never_reach_the_file(tmp_path):
    from tests.factories import UserFactory

    author = UserFactory(first_name="Ada\x0b", last_name="\uffffLovelace")
    ArticleFactory(author=author)

    path = export(tmp_path)

    assert wxr.check(path).items == 1  # the file parses
    assert "\x0b" not in path.read_text(encoding="utf-8")
