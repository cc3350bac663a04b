import pytest
from django.test import Client

from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_pages_made_for_one_client_are_limited(settings):
    settings.NEWSROOM_PAGE_READ_RATE = "3/min"
    articles = ArticleFactory.create_batch(4)
    reader = Client(HTTP_HOST="testserver:8080")  # an address never kept: every page is made

    statuses = [reader.get(article.get_absolute_url()).status_code for article in articles]

    assert statuses == [200, 200, 200, 429]
    refused = reader.get(articles[0].get_absolute_url())
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Please wait" in refused.content.decode()


def test_shared_copies_are_not_counted(settings):
    settings.NEWSROOM_PAGE_READ_RATE = "3/min"
    article = ArticleFactory()

    statuses = {Client().get(article.get_absolute_url()).status_code for _ in range(10)}

    assert statuses == {200}


def test_staff_are_not_limited(settings, client):
    settings.NEWSROOM_PAGE_READ_RATE = "1/min"
    client.force_login(UserFactory(is_staff=True))
    article = ArticleFactory()

    assert {client.get(article.get_absolute_url()).status_code for _ in range(3)} == {200}
