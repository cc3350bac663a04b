"""Editors' picks: moderators mark published replies; the article page shows
them above the discussion, each linking to its place; the API filters them."""

import pytest
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def picks_section(html: str) -> str:
    start = html.find('class="editors-picks')
    return "" if start < 0 else html[start : html.index("</section>", start)]


def test_a_pick_shows_above_the_discussion_and_links_to_its_place(moderator, settings):
    settings.COMMENTS_PER_PAGE = 1
    article = ArticleFactory()
    CommentFactory(article=article, body="The first thread.")
    second = CommentFactory(article=article, body="Worth reading: the logistics of it all.")
    reader = Client()
    assert not picks_section(reader.get(article.get_absolute_url()).content.decode())
    admin = Client()
    admin.force_login(moderator)

    admin.post(
        reverse("admin:comments_comment_changelist") + "?status=all",
        {"action": "pick", "_selected_action": [second.pk]},
    )

    html = reader.get(article.get_absolute_url()).content.decode()
    section = picks_section(html)
    assert "Editors\u2019 picks" in section
    assert f'href="{article.get_absolute_url()}?cpage=2#comment-{second.pk}"' in section
    assert "Worth reading: the logistics of it all." in section
    second.refresh_from_db()
    assert second.picked_at is not None
    event = second.events.last()
    assert (event.actor, event.note) == (moderator, "Made an editors' pick.")
    page_two = reader.get(article.get_absolute_url(), {"cpage": 2}).content.decode()
    assert "Editors&rsquo; pick</span>" in page_two  # its badge in the thread


def test_only_published_replies_are_picks(moderator):
    pending = CommentFactory(status="pending")
    picked = CommentFactory(article=pending.article, body="Picked, then removed.")
    services.pick(picked, actor=moderator)

    with pytest.raises(services.CannotDecide):
        services.pick(pending, actor=moderator)
    services.set_status(picked, "removed", actor=moderator)

    html = Client().get(picked.article.get_absolute_url()).content.decode()
    assert not picks_section(html)
    assert Comment.objects.get(pk=pending.pk).picked_at is None


def test_unpicking_takes_it_out(moderator):
    reply = CommentFactory()
    services.pick(reply, actor=moderator)

    assert services.pick(reply, actor=moderator, picked=False)
    assert not services.pick(reply, actor=moderator, picked=False)  # nothing to do

    assert not picks_section(Client().get(reply.article.get_absolute_url()).content.decode())


def test_the_api_says_which_are_picks_and_filters_them(api, moderator):
    article = ArticleFactory()
    plain = CommentFactory(article=article)
    picked = CommentFactory(article=article)
    services.pick(picked, actor=moderator)

    listed = api.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    only = api.get(f"/api/v1/articles/{article.slug}/comments/", {"picked": "true"}).json()
    others = api.get("/api/v1/comments/", {"picked": "false"}).json()

    assert {item["id"]: item["picked"] for item in listed} == {plain.pk: False, picked.pk: True}
    assert [item["id"] for item in only["results"]] == [picked.pk]
    assert [item["id"] for item in others["results"]] == [plain.pk]


def test_moderators_pick_through_the_api(moderator_api):
    reply = CommentFactory()
    pending = CommentFactory(status="pending")

    picked = moderator_api.post(f"/api/v1/moderation/comments/{reply.pk}/pick/")
    refused = moderator_api.post(f"/api/v1/moderation/comments/{pending.pk}/pick/")
    unpicked = moderator_api.post(f"/api/v1/moderation/comments/{reply.pk}/unpick/")

    assert picked.status_code == 200
    assert picked.json()["picked_at"] is not None
    assert refused.status_code == 409
    assert unpicked.json()["picked_at"] is None


@pytest.mark.parametrize("picks", [0, 3])
def test_picks_cost_the_article_page_no_query(
    client, django_assert_num_queries, settings, moderator, picks
):
    settings.NEWSROOM_SHARED_CACHE = False  # measure the work behind a cache miss
    article = ArticleFactory()
    for comment in CommentFactory.create_batch(5, article=article)[:picks]:
        services.pick(comment, actor=moderator)

    # The content versions, the article with its section and author, its tags, the
    # navigation, the discussion's shape (the picks among it), the page's comments.
    with django_assert_num_queries(6):
        client.get(article.get_absolute_url())
