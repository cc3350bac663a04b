import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from comments import services
from comments.models import BlockedTerm, Comment, ModerationEvent
from tests.factories import ArticleFactory, BlockedTermFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def staff_in(group_name):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def moderator():
    return staff_in("Moderators")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def shown(response):
    return list(response.context["cl"].result_list)


def test_queue_opens_on_pending_comments_newest_first(admin_client):
    older = CommentFactory(status="pending")
    newer = CommentFactory(status="pending")
    CommentFactory(status="approved")
    CommentFactory(status="spam")

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert shown(response) == [newer, older]


@pytest.mark.parametrize("status", ["approved", "spam", "removed"])
def test_queue_for_each_status(admin_client, status):
    mine = CommentFactory(status=status)
    CommentFactory(status="pending")

    assert shown(admin_client.get(CHANGELIST, {"status": status})) == [mine]


def test_all_queue_shows_every_status(admin_client):
    comments = [CommentFactory(status=s) for s in ("pending", "approved", "spam", "removed")]

    assert set(shown(admin_client.get(CHANGELIST, {"status": "all"}))) == set(comments)


def test_changelist_shows_private_fields_and_the_reason(admin_client):
    CommentFactory(
        status="pending",
        author_email="private@example.org",
        ip_address="203.0.113.5",
        moderation_reasons=[
            {"rule": "too-many-links", "verdict": "hold", "detail": "3 links; the limit is 2."}
        ],
    )

    html = admin_client.get(CHANGELIST).content.decode()

    assert "private@example.org" in html
    assert "203.0.113.5" in html
    assert "3 links; the limit is 2." in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("needle@example.org", "email"),
        ("Needle Person", "name"),
        ("haystack", "text"),
        ("203.0.113.99", "ip"),
    ],
)
def test_search_by_name_email_text_and_ip(admin_client, query, expected):
    target = CommentFactory(
        status="pending",
        author_name="Needle Person",
        author_email="needle@example.org",
        body="Looking for the haystack",
        ip_address="203.0.113.99",
    )
    CommentFactory(status="pending", ip_address="203.0.113.9")

    assert shown(admin_client.get(CHANGELIST, {"q": query})) == [target]


@pytest.mark.parametrize("count", [10, 200])
def test_changelist_queries_do_not_grow_with_comments(
    admin_client, django_assert_num_queries, count
):
    articles = ArticleFactory.create_batch(5)
    for n in range(count):
        CommentFactory(article=articles[n % 5], status="pending")

    # Session, user, the count for the paginator, the page of comments with
    # their articles.
    with django_assert_num_queries(4):
        response = admin_client.get(CHANGELIST, {"status": "all"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_approved", "approved"),
        ("mark_spam", "spam"),
        ("mark_removed", "removed"),
        ("mark_pending", "pending"),
    ],
)
def test_bulk_actions_change_status_and_record_the_moderator(
    moderator_client, moderator, action, status
):
    start = "approved" if status == "pending" else "pending"
    comments = CommentFactory.create_batch(3, status=start)
    untouched = CommentFactory(status=start)

    response = moderator_client.post(
        CHANGELIST + "?status=all",
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )

    assert response.status_code == 302
    for comment in comments:
        comment.refresh_from_db()
        assert (comment.status, comment.moderated_by) == (status, moderator)
        (event,) = comment.events.all()
        assert (event.from_status, event.to_status, event.actor) == (start, status, moderator)
    untouched.refresh_from_db()
    assert untouched.status == start
    assert not untouched.events.exists()


def test_change_page_shows_history_read_only(admin_client, admin_user):
    comment = CommentFactory(status="pending")
    ModerationEvent.objects.create(
        comment=comment,
        to_status="pending",
        reasons=[
            {"rule": "first-time-author", "verdict": "hold", "detail": "No earlier approved reply."}
        ],
    )
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    html = admin_client.get(url).content.decode()

    assert "moderation history" in html.lower()
    assert "No earlier approved reply." in html
    assert "automatic rules" in html
    assert 'name="events-0-to_status"' not in html  # history cannot be edited


def test_status_change_on_the_change_page_is_recorded(admin_client, admin_user):
    comment = CommentFactory(status="pending", body="Original <b>text</b>")
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "status": "approved",
            "body": "Edited https://example.org",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.body_html == (
        '<p>Edited <a href="https://example.org" rel="nofollow ugc noopener">https://example.org</a></p>'
    )
    (event,) = comment.events.all()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "approved", admin_user)


def test_admin_index_shows_pending_count(moderator_client):
    CommentFactory.create_batch(3, status="pending")
    CommentFactory(status="approved")

    html = moderator_client.get(reverse("admin:index")).content.decode()

    assert "<strong>3</strong> replies are awaiting moderation" in html


def test_comments_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:comments_comment_add")).status_code == 403


def test_moderator_can_moderate_but_not_edit_articles(moderator_client):
    article = ArticleFactory()
    comment = CommentFactory(article=article, status="pending")

    assert moderator_client.get(CHANGELIST).status_code == 200
    assert moderator_client.get(reverse("admin:comments_blockedterm_add")).status_code == 200
    moderator_client.post(CHANGELIST, {"action": "mark_approved", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == "approved"

    assert (
        moderator_client.get(
            reverse("admin:articles_article_change", args=[article.pk])
        ).status_code
        == 403
    )
    assert moderator_client.get(reverse("admin:articles_article_add")).status_code == 403


def test_editor_can_edit_articles_but_not_moderate(client):
    client.force_login(staff_in("Editors"))
    article = ArticleFactory()

    assert (
        client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 200
    )
    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        ("ip", "not-an-ip", "Enter an IP address"),
        ("email", "nobody", "Enter a complete e-mail address."),
        ("domain", "https://x.example/", "Enter a domain name"),
    ],
)
def test_blocked_term_admin_explains_bad_values(moderator_client, kind, value, error):
    response = moderator_client.post(
        reverse("admin:comments_blockedterm_add"), {"kind": kind, "value": value, "action": "hold"}
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not BlockedTerm.objects.exists()


def test_blocked_term_values_are_normalized(moderator_client):
    response = moderator_client.post(
        reverse("admin:comments_blockedterm_add"),
        {"kind": "ip", "value": " 203.0.113.7/24 ", "action": "spam"},
    )

    assert response.status_code == 302
    assert BlockedTerm.objects.get().value == "203.0.113.0/24"


@pytest.mark.parametrize("change", ["add", "delete"])
def test_a_blocklist_change_in_the_admin_applies_to_the_next_reply(
    moderator_client, settings, change
):
    settings.COMMENTS_RULES = ["comments.moderation.Blocklist"]
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    if change == "delete":
        term = BlockedTermFactory(value="casino", action="spam")

    def status_of_next_reply():
        reply = services.submit_comment(
            article=article,
            name="Ada",
            email="ada@example.org",
            body=f"Casino {Comment.objects.count()}",
        )
        return reply.status

    before = status_of_next_reply()  # the list is now in this process's memory
    if change == "add":
        moderator_client.post(
            reverse("admin:comments_blockedterm_add"),
            {"kind": "word", "value": "casino", "action": "spam"},
        )
    else:
        moderator_client.post(
            reverse("admin:comments_blockedterm_delete", args=[term.pk]), {"post": "yes"}
        )

    after = status_of_next_reply()
    assert (before, after) == (("approved", "spam") if change == "add" else ("spam", "approved"))


def test_deleting_a_comment_deletes_its_replies_and_history(admin_client):
    parent = CommentFactory()
    CommentFactory(parent=parent)

    admin_client.post(reverse("admin:comments_comment_delete", args=[parent.pk]), {"post": "yes"})

    assert not Comment.objects.exists()
    assert not ModerationEvent.objects.exists()


def test_changelist_count_is_capped_on_big_queues(admin_client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments.admin import CappedCountPaginator, CommentAdmin

    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 5)
    monkeypatch.setattr(CommentAdmin, "list_per_page", 2)
    CommentFactory.create_batch(8, status="approved")

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST, {"status": "approved"})

    assert response.context["cl"].result_count == 5
    assert len(shown(response)) == 2
    (count,) = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert "LIMIT 5" in count.upper()
