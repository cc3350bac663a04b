import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

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


@pytest.mark.parametrize("count", [10, 500])
def test_changelist_queries_do_not_grow_with_comments(
    admin_client, django_assert_num_queries, count
):
    articles = ArticleFactory.create_batch(5)
    parents = [CommentFactory(article=article) for article in articles]
    for n in range(count):
        CommentFactory(
            article=articles[n % 5],
            parent=parents[n % 5] if n % 2 else None,
            status="pending",
            author_email=f"reader{n % 7}@example.org",
        )

    # Session, user, the count for the paginator, the page of comments with their
    # articles and parents, the authors' records, the edits and reports beside them,
    # the pending, edits, reported and spam tabs.
    with django_assert_num_queries(11):
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
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.body_html == (
        '<p>Edited <a href="https://example.org" rel="nofollow ugc noopener">https://example.org</a></p>'
    )
    corrected, decided = comment.events.all()
    assert (corrected.note, corrected.actor) == ("Text corrected by a moderator.", admin_user)
    assert (decided.from_status, decided.to_status, decided.actor) == (
        "pending",
        "approved",
        admin_user,
    )
    (earlier,) = comment.revisions.all()
    assert (earlier.state, earlier.body, earlier.changed_by) == (
        "earlier",
        "Original <b>text</b>",
        admin_user,
    )
    assert comment.edited_at is None  # readers never saw the text it replaced


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

    # They see an article's page (its comments download from there), read-only.
    change = reverse("admin:articles_article_change", args=[article.pk])
    page = moderator_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert moderator_client.post(change, {"title": "Changed"}).status_code == 403
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
    # The paginator and the four tabs stop counting at the cap; the authors' records
    # count the few addresses on the page, through comment_email_idx.
    counts = [q["sql"].upper() for q in queries if "COUNT(" in q["sql"].upper()]
    capped = [sql for sql in counts if "GROUP BY" not in sql]
    assert len(capped) == 5
    assert all("LIMIT 5" in sql for sql in capped)


def decide_url(comment, decision):
    return reverse("admin:comments_comment_decide", args=[comment.pk, decision])


def test_each_row_shows_the_reply_whole_with_its_context_and_author(admin_client):
    parent = CommentFactory(author_name="Bo", body="The first word on it.")
    CommentFactory(author_email="ada@example.org", status="spam")
    CommentFactory(author_email="ada@example.org", status="approved")
    reply = CommentFactory(
        article=parent.article,
        parent=parent,
        status="pending",
        author_name="Ada",
        author_email="ada@example.org",
        author_url="https://ada.example.org",
        ip_address="203.0.113.5",
        body="A long reply. " * 30,
        moderation_reasons=[
            {"rule": "first-time-author", "verdict": "hold", "detail": "No earlier reply."}
        ],
    )

    html = admin_client.get(CHANGELIST).content.decode()

    assert reply.body_html in html  # whole, as readers will see it
    assert f'href="{parent.article.get_absolute_url()}"' in html
    assert reverse("admin:comments_comment_change", args=[parent.pk]) in html
    assert "Bo: “The first word on it.”" in html
    assert "<li>No earlier reply.</li>" in html
    assert "1 approved · 1 held · 1 spam · 0 removed" in html
    for filtered in (
        "?author_email=ada%40example.org&amp;status=all",
        "?author_url=https%3A%2F%2Fada.example.org&amp;status=all",
        "?ip_address=203.0.113.5&amp;status=all",
    ):
        assert filtered in html


def test_the_author_links_filter_the_queue_to_that_address(admin_client):
    theirs = [
        CommentFactory(ip_address="203.0.113.5", status=status)
        for status in ("pending", "spam", "approved")
    ]
    CommentFactory(ip_address="198.51.100.1", status="pending")

    response = admin_client.get(CHANGELIST, {"ip_address": "203.0.113.5", "status": "all"})

    assert set(shown(response)) == set(theirs)


def test_tabs_count_the_queues_to_clear(admin_client):
    CommentFactory.create_batch(3, status="pending")
    CommentFactory.create_batch(2, status="spam")
    CommentFactory(status="approved")

    html = admin_client.get(CHANGELIST).content.decode()

    assert "Pending (3)" in html
    assert "Spam (2)" in html


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        ("pending", ["approve", "spam", "remove"]),
        ("approved", ["spam", "remove"]),
        ("spam", ["approve", "remove", "restore"]),
        ("removed", ["approve", "spam", "restore"]),
    ],
)
def test_each_row_offers_the_decisions_that_apply(admin_client, status, buttons):
    comment = CommentFactory(status=status)

    html = admin_client.get(CHANGELIST, {"status": status}).content.decode()

    offered = [
        d for d in ("approve", "spam", "remove", "restore") if decide_url(comment, d) in html
    ]
    assert offered == buttons
    assert 'form id="queue-decide" method="post"' in html


def test_one_click_decides_records_the_moderator_and_comes_back(moderator_client, moderator):
    comment = CommentFactory(status="pending")
    back = f"{CHANGELIST}?status=pending&p=2"

    response = moderator_client.post(decide_url(comment, "spam"), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    comment.refresh_from_db()
    assert comment.status == "spam"
    event = comment.events.latest("created_at")
    assert (event.actor, event.from_status, event.to_status) == (moderator, "pending", "spam")


def test_a_decision_goes_back_only_to_this_site(moderator_client):
    comment = CommentFactory(status="pending")

    response = moderator_client.post(
        decide_url(comment, "approve"), {"next": "https://evil.example/"}
    )

    assert response["Location"] == CHANGELIST


def test_decisions_refuse_a_get_a_missing_token_and_non_moderators(client, moderator):
    comment = CommentFactory(status="pending")
    client.force_login(moderator)
    assert client.get(decide_url(comment, "approve")).status_code == 405

    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(moderator)
    assert guarded.post(decide_url(comment, "approve")).status_code == 403

    client.force_login(staff_in("Editors"))
    assert client.post(decide_url(comment, "approve")).status_code == 403

    assert client.post(decide_url(comment, "publish")).status_code == 404
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert not comment.events.exclude(actor=None).exists()


def test_everything_waiting_from_one_author_is_approved_in_one_step(moderator_client, moderator):
    theirs = CommentFactory.create_batch(3, status="pending", author_email="ada@example.org")
    spam = CommentFactory(status="spam", author_email="ada@example.org")
    other = CommentFactory(status="pending", author_email="bo@example.org")
    page = moderator_client.get(CHANGELIST, {"author_email": "ada@example.org", "status": "all"})
    assert "Approve everything waiting from ada@example.org" in page.content.decode()

    response = moderator_client.post(
        reverse("admin:comments_comment_approve_author"),
        {"lookup": "author_email", "value": "ada@example.org", "next": CHANGELIST},
    )

    assert response.status_code == 302
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in theirs] == ["approved"] * 3
    assert (statuses[spam.pk], statuses[other.pk]) == ("spam", "pending")
    assert ModerationEvent.objects.filter(actor=moderator, to_status="approved").count() == 3


def test_approving_an_author_refuses_other_lookups_and_editors(client):
    client.force_login(staff_in("Moderators"))
    assert (
        client.post(
            reverse("admin:comments_comment_approve_author"), {"lookup": "body", "value": "x"}
        ).status_code
        == 404
    )
    client.force_login(staff_in("Editors"))
    assert (
        client.post(
            reverse("admin:comments_comment_approve_author"),
            {"lookup": "author_email", "value": "a@example.org"},
        ).status_code
        == 403
    )


def block_url(comment, what):
    return reverse("admin:comments_comment_block", args=[comment.pk, what])


@pytest.mark.parametrize(
    ("what", "address", "kind", "value"),
    [
        ("email", "203.0.113.77", "email", "ada@example.org"),
        ("ip", "203.0.113.77", "ip", "203.0.113.77/32"),
        ("network", "203.0.113.77", "ip", "203.0.113.0/24"),
        ("network", "2001:db8:1:2::77", "ip", "2001:db8:1:2::/64"),
    ],
)
def test_a_row_blocks_its_author_for_the_days_chosen(
    moderator_client, moderator, what, address, kind, value
):
    comment = CommentFactory(author_email="Ada@Example.org", ip_address=address)

    response = moderator_client.post(
        block_url(comment, what), {"days": "7", "next": f"{CHANGELIST}?status=all"}
    )

    assert response["Location"] == f"{CHANGELIST}?status=all"
    term = BlockedTerm.objects.get()
    assert (term.kind, term.value, term.action) == (kind, value, "spam")
    assert term.created_by == moderator
    assert 6.9 < (term.expires_at - timezone.now()).total_seconds() / 86400 <= 7


def test_a_block_until_deleted_has_no_expiry_and_renews_an_old_one(moderator_client):
    comment = CommentFactory(author_email="ada@example.org")
    moderator_client.post(block_url(comment, "email"), {"days": "1"})

    moderator_client.post(block_url(comment, "email"), {"days": ""})

    (term,) = BlockedTerm.objects.all()
    assert term.expires_at is None


def test_blocking_from_a_row_refuses_a_get_and_editors(client):
    comment = CommentFactory()
    client.force_login(staff_in("Moderators"))
    assert client.get(block_url(comment, "email")).status_code == 405
    client.force_login(staff_in("Editors"))
    assert client.post(block_url(comment, "email")).status_code == 403
    assert not BlockedTerm.objects.exists()


def test_a_block_from_the_queue_applies_to_the_next_reply(moderator_client, api, settings):
    settings.COMMENTS_MODERATION = "none"
    comment = CommentFactory(author_email="ada@example.org")
    moderator_client.post(block_url(comment, "email"), {"days": "30"})

    response = api.post(
        f"/api/v1/articles/{comment.article.slug}/comments/",
        {"name": "Ada", "email": "ada@example.org", "body": "Again."},
        format="json",
    )

    # The sender is told it awaits moderation, never that it is spam.
    assert response.json()["status"] == "pending"
    assert Comment.objects.get(pk=response.json()["id"]).status == "spam"


def test_the_sites_header_tells_moderators_how_many_replies_wait(moderator_client):
    article = ArticleFactory()
    CommentFactory.create_batch(3, article=article, status="pending")

    html = moderator_client.get(article.get_absolute_url()).content.decode()

    assert "3 awaiting moderation" in html
    assert f'href="{CHANGELIST}?status=pending"' in html


def test_readers_and_editors_see_no_moderation_count(client):
    article = ArticleFactory()
    CommentFactory(article=article, status="pending")
    assert "awaiting moderation" not in client.get(article.get_absolute_url()).content.decode()

    client.force_login(staff_in("Editors"))
    assert "awaiting moderation" not in client.get(article.get_absolute_url()).content.decode()


def test_the_queue_offers_no_uncapped_facet_counts(admin_client):
    CommentFactory(status="pending")

    html = admin_client.get(CHANGELIST, {"_facets": "True"}).content.decode()

    assert "Show counts" not in html
    assert "Pending (1)" in html
