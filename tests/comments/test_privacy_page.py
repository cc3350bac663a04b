"""The privacy page and the reply form's line say what the settings in force do."""

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_privacy_page_is_made_from_the_settings(client, settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 14
    settings.COMMENTS_KEEP_NETWORK = True
    settings.DEFAULT_FROM_EMAIL = "Desk <desk@news.example>"

    html = client.get(reverse("comments:privacy")).content.decode()

    assert "kept for <strong>14 days</strong>" in html
    assert "Moderators keep seeing the network" in html
    assert 'href="mailto:desk@news.example"' in html
    assert "newsroom_reader" in html


def test_without_a_limit_the_page_says_so(client, settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 0
    settings.COMMENTS_KEEP_NETWORK = False

    html = client.get(reverse("comments:privacy")).content.decode()

    assert "are kept with your reply" in html
    assert "days</strong>" not in html
    assert "network they came from" not in html


@pytest.mark.parametrize(("days", "said"), [(30, "kept for 30 days"), (1, "kept for 1 day")])
def test_the_form_says_in_one_line_what_is_kept_and_links_to_the_page(client, settings, days, said):
    settings.COMMENTS_IP_RETENTION_DAYS = days
    article = ArticleFactory()

    html = client.get(article.get_absolute_url()).content.decode()

    note = html.split('id="comment-form-note">', 1)[1].split("</p>", 1)[0]
    assert "Your e-mail address is never shown." in note
    assert f"Your IP address is {said}" in note
    assert f'<a href="{reverse("comments:privacy")}">how we handle your data</a>' in note


def test_every_page_links_to_it(client):
    assert f'href="{reverse("comments:privacy")}"' in client.get("/").content.decode()
