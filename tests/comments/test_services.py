import pytest
from django.db import transaction

from articles.services import COMMENTS, article_scope
from comments import services
from comments.models import Comment, ModerationEvent
from comments.moderation import FormEvidence
from plumbing.pagecache import versions
from tests.factories import (
    ArticleFactory,
    BlockedTermFactory,
    CommentFactory,
    UserFactory,
    yesterday,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_policy(settings):
    # Only the rules a test turns on; no surprises from the others.
    settings.COMMENTS_RULES = []
    settings.COMMENTS_MODERATION = "none"


def submit(article, **overrides):
    fields = {
        "name": "Ada",
        "email": "ada@example.org",
        "body": "A considered reply.",
        "ip_address": "203.0.113.9",
        "user_agent": "TestBrowser/1.0",
        **overrides,
    }
    return services.submit_comment(article=article, **fields)


def test_submit_saves_comment_and_its_event_together(django_capture_on_commit_callbacks):
    article = ArticleFactory()

    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(
            article, body="Hello <b>there</b>\nwww.example.com", url="https://ada.example.org"
        )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.body == "Hello <b>there</b>\nwww.example.com"
    assert comment.body_html == (
        '<p>Hello <b>there</b><br><a href="http://www.example.com" rel="nofollow ugc noopener">'
        "www.example.com</a></p>"
    )
    assert (comment.ip_address, comment.user_agent) == ("203.0.113.9", "TestBrowser/1.0")
    (event,) = comment.events.all()
    assert (event.from_status, event.to_status, event.actor) == ("", "approved", None)
    assert (
        event.reasons
        == comment.moderation_reasons
        == [
            {
                "rule": "policy",
                "verdict": "approve",
                "detail": "Published at once: no pre-moderation.",
            }
        ]
    )


def test_a_failed_event_write_saves_no_comment(monkeypatch):
    article = ArticleFactory()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.INSERT_EVENT, "save", broken)
    with pytest.raises(RuntimeError):
        submit(article)

    assert not Comment.objects.exists()


def test_held_and_spam_replies_are_saved(settings):
    settings.COMMENTS_RULES = ["comments.moderation.Honeypot", "comments.moderation.TooManyLinks"]
    settings.COMMENTS_MAX_LINKS = 0
    article = ArticleFactory()

    held = submit(article, body="see https://example.org")
    spam = submit(article, body="buy", form=FormEvidence(issued_at=0, honeypot="x"))

    assert (held.status, spam.status) == ("pending", "spam")
    assert held.moderation_reasons[0]["rule"] == "too-many-links"
    assert spam.moderation_reasons[0]["rule"] == "honeypot"


def test_refused_reply_is_not_saved(settings):
    settings.COMMENTS_RULES = ["comments.moderation.Duplicate"]
    article = ArticleFactory()
    submit(article, body="Once.")

    with pytest.raises(services.CommentRefused) as refused:
        submit(article, body="Once.")

    assert refused.value.rule == "duplicate"
    assert refused.value.field == "body"
    assert "already sent this reply" in refused.value.message
    assert Comment.objects.count() == 1


def test_flood_refusal_is_a_rate_limit(settings, django_capture_on_commit_callbacks):
    settings.COMMENTS_RULES = ["comments.moderation.Flood"]
    settings.COMMENTS_FLOOD_LIMIT = 2
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        submit(article, body="one")
        submit(article, body="two")

    with pytest.raises(services.CommentRefused) as refused:
        submit(article, body="three")

    assert refused.value.status_code == 429
    assert Comment.objects.count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"allow_comments": False},
        {"comments_close_at": "yesterday"},
        {"status": "draft", "published_at": None},
    ],
)
def test_closed_article_refuses_replies(changes):
    if changes.get("comments_close_at") == "yesterday":
        changes["comments_close_at"] = yesterday()
    article = ArticleFactory(**changes)

    with pytest.raises(services.CommentsClosed) as closed:
        submit(article)

    assert closed.value.status_code == 403
    assert closed.value.message == "Comments are closed for this article."
    assert not Comment.objects.exists()


def test_reply_attaches_to_its_parent():
    parent = CommentFactory()

    reply = submit(parent.article, parent_id=parent.pk)

    assert (reply.parent, reply.depth) == (parent, 1)


@pytest.mark.parametrize("parent_kind", ["other-article", "pending", "spam", "removed", "missing"])
def test_reply_to_unavailable_parent_is_refused(parent_kind):
    article = ArticleFactory()
    parents = {
        "other-article": lambda: CommentFactory(),
        "pending": lambda: CommentFactory(article=article, status="pending"),
        "spam": lambda: CommentFactory(article=article, status="spam"),
        "removed": lambda: CommentFactory(article=article, status="removed"),
    }
    parent_id = parents[parent_kind]().pk if parent_kind in parents else 987654

    with pytest.raises(services.ParentUnavailable) as unavailable:
        submit(article, parent_id=parent_id)

    assert unavailable.value.field == "parent"
    assert Comment.objects.filter(author_email="ada@example.org").count() == 0


def test_replies_below_the_maximum_depth_join_the_deepest_level(settings):
    settings.COMMENTS_MAX_DEPTH = 3  # levels 0, 1 and 2
    top = CommentFactory()
    middle = CommentFactory(parent=top)
    deepest = CommentFactory(parent=middle)

    reply = submit(top.article, parent_id=deepest.pk)

    assert (reply.parent, reply.depth) == (middle, 2)


def test_lowering_the_maximum_depth_keeps_replies_attached(settings):
    chain = [CommentFactory()]
    for _ in range(5):
        chain.append(CommentFactory(parent=chain[-1]))
    settings.COMMENTS_MAX_DEPTH = 2

    reply = submit(chain[0].article, parent_id=chain[-1].pk)

    assert (reply.parent, reply.depth) == (chain[0], 1)


def test_flat_threads_make_every_reply_top_level(settings):
    settings.COMMENTS_MAX_DEPTH = 1
    top = CommentFactory()

    reply = submit(top.article, parent_id=top.pk)

    assert (reply.parent, reply.depth) == (None, 0)


def test_set_status_records_who_and_from_what():
    moderator = UserFactory()
    comment = CommentFactory(status="pending")

    assert services.set_status(comment, "approved", actor=moderator, note="Fine.") is True
    assert services.set_status(comment, "approved", actor=moderator) is False

    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == ("approved", moderator)
    (event,) = comment.events.all()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "pending",
        "approved",
        moderator,
        "Fine.",
    )


def test_comment_and_event_commit_together_inside_an_outer_transaction():
    article = ArticleFactory()

    def submit_then_fail():
        with transaction.atomic():
            submit(article)
            raise RuntimeError("the caller fails afterwards")

    with pytest.raises(RuntimeError):
        submit_then_fail()

    assert not Comment.objects.exists()
    assert not ModerationEvent.objects.exists()


# --- What readers see, and the versions that name it ---------------------------


def seen_by_readers(article):
    """The versions of the article's discussion and of the lists of all comments."""
    return (
        versions.read([article_scope(article.slug)]).key,
        versions.read([COMMENTS]).key,
    )


def changes_what_readers_see(article, change) -> bool:
    before = seen_by_readers(article)
    change()
    after = seen_by_readers(article)
    assert (before[0] == after[0]) == (before[1] == after[1])  # both scopes, or neither
    return before != after


@pytest.mark.parametrize(
    ("start", "change", "seen"),
    [
        ("pending", lambda c: services.set_status(c, "approved"), True),
        ("approved", lambda c: services.set_status(c, "removed"), True),
        ("approved", lambda c: services.set_status(c, "spam"), True),
        ("approved", lambda c: services.set_status(c, "pending"), True),
        ("pending", lambda c: services.set_status(c, "spam"), False),
        ("spam", lambda c: services.set_status(c, "removed"), False),
        ("removed", lambda c: services.set_status(c, "pending"), False),
        ("approved", lambda c: services.set_status(c, "approved"), False),
        ("approved", lambda c: services.save_edit(c, changed=["body"]), True),
        ("approved", lambda c: services.save_edit(c, changed=["notify_on_reply"]), False),
        ("pending", lambda c: services.save_edit(c, changed=["body"]), False),
        ("approved", lambda c: services.delete_comments(Comment.objects.filter(pk=c.pk)), True),
        ("spam", lambda c: services.delete_comments(Comment.objects.filter(pk=c.pk)), False),
    ],
    ids=lambda value: value if isinstance(value, str | bool) else "",
)
def test_a_change_moves_the_versions_exactly_when_readers_can_see_it(start, change, seen):
    comment = CommentFactory(status=start)

    assert changes_what_readers_see(comment.article, lambda: change(comment)) is seen


def test_deleting_a_hidden_comment_with_public_replies_is_seen():
    parent = CommentFactory(status="removed")
    CommentFactory(parent=parent)

    assert changes_what_readers_see(
        parent.article, lambda: services.delete_comments(Comment.objects.filter(pk=parent.pk))
    )


@pytest.mark.parametrize("policy", ["all", "spam"])
def test_a_held_or_spam_reply_moves_nothing_until_approved(settings, policy):
    settings.COMMENTS_RULES = ["comments.moderation.Blocklist"]
    settings.COMMENTS_MODERATION = "all" if policy == "all" else "none"
    if policy == "spam":
        BlockedTermFactory(kind="word", value="casino", action="spam")
    article = ArticleFactory()
    held = []

    assert not changes_what_readers_see(
        article, lambda: held.append(submit(article, body="Casino news"))
    )
    assert held[0].status in {"pending", "spam"}
    assert changes_what_readers_see(article, lambda: services.set_status(held[0], "approved"))


def test_a_published_reply_moves_its_article_and_no_other():
    article, other = ArticleFactory(), ArticleFactory()
    other_before = versions.read([article_scope(other.slug)]).key

    assert changes_what_readers_see(article, lambda: submit(article))
    assert versions.read([article_scope(other.slug)]).key == other_before


def test_a_failed_write_moves_no_version():
    article = ArticleFactory()
    before = seen_by_readers(article)

    def submit_in_a_failing_transaction():
        with transaction.atomic():
            submit(article)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        submit_in_a_failing_transaction()

    assert seen_by_readers(article) == before


def test_changes_under_an_unpublished_article_move_nothing():
    comment = CommentFactory(status="pending")
    article = comment.article
    article.status = "draft"
    article.save()
    before = seen_by_readers(article)

    services.set_status(comment, "approved")
    services.delete_comments(Comment.objects.filter(pk=comment.pk))

    assert seen_by_readers(article) == before


def test_deleting_a_hidden_thread_with_no_public_reply_moves_nothing():
    parent = CommentFactory(status="spam")
    CommentFactory(parent=parent, status="pending")

    assert not changes_what_readers_see(
        parent.article, lambda: services.delete_comments(Comment.objects.filter(pk=parent.pk))
    )
    assert not Comment.objects.exists()


def test_deleting_a_comment_whose_reply_of_a_reply_is_public_is_seen():
    top = CommentFactory(status="removed")
    middle = CommentFactory(parent=top, status="removed")
    CommentFactory(parent=middle)

    assert changes_what_readers_see(
        top.article, lambda: services.delete_comments(Comment.objects.filter(pk=top.pk))
    )
