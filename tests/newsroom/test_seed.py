import pytest
from django.core.management import call_command

from articles.models import Article, Section, Tag

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(client):
    call_command("seed_demo", stdout=None)
    counts = (Article.objects.count(), Section.objects.count(), Tag.objects.count())

    call_command("seed_demo")

    assert (Article.objects.count(), Section.objects.count(), Tag.objects.count()) == counts
    assert Article.objects.published().count() >= 3


def test_seed_demo_article_is_readable(client):
    call_command("seed_demo")

    response = client.get("/articles/china-to-join-russias-vostok-exercise/")

    assert response.status_code == 200
    assert "Vostok" in response.content.decode()
    assert "Vostok" in client.get("/").content.decode()


def test_seed_demo_adds_a_threaded_discussion_and_a_pending_reply(client):
    call_command("seed_demo")
    call_command("seed_demo")

    article = Article.objects.get(slug="china-to-join-russias-vostok-exercise")
    comments = article.comments.all()
    assert comments.filter(status="pending").count() == 1
    assert comments.filter(status="approved", depth__gte=2).exists()
    assert all(comment.events.count() == 1 for comment in comments)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<ol class="children list-unstyled">' in html
    assert "how many soldiers" not in html


def test_seed_demo_recommends_some_replies_once(client):
    call_command("seed_demo")
    call_command("seed_demo")

    article = Article.objects.get(slug="china-to-join-russias-vostok-exercise")
    counts = sorted(article.comments.values_list("recommendations", flat=True))
    assert counts == [0, 0, 1, 2, 4]
    html = client.get(f"{article.get_absolute_url()}?sort=recommended").content.decode()
    assert html.index("Statements like that") < html.index("Worth noticing")
