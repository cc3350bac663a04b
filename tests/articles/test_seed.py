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
