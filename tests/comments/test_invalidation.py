import pytest

from articles.versioning import current_version
from comments import services
from tests.factories import (
    ArticleFactory,
    BlockedTermFactory,
    CommentFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def article_version(article):
    return current_version(article.pk).key


def changes_version(article, action, capture):
    before = article_version(article)
    with capture(execute=True):
        action()
    return article_version(article) != before


def test_new_reply_bumps_the_version_at_once_and_again_on_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_RULES = []
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    before = article_version(article)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_comment(article=article, name="Ada", email="a@example.org", body="Hi")
        during = article_version(article)
    for callback in callbacks:
        callback()

    # At once, for reads in the same transaction; again after commit, so a copy
    # another process cached in between is never served.
    assert len({before, during, article_version(article)}) == 3


@pytest.mark.parametrize(
    "change",
    ["approve", "remove", "edit", "delete", "article-edit", "article-tags", "article-unpublish"],
)
def test_every_change_bumps_the_article_version(change, django_capture_on_commit_callbacks):
    comment = CommentFactory(status="pending")
    article = comment.article
    actions = {
        "approve": lambda: services.set_status(comment, "approved", actor=UserFactory()),
        "remove": lambda: services.set_status(comment, "removed"),
        "edit": lambda: services.save_edit(comment, changed=["body"]),
        "delete": comment.delete,
        "article-edit": article.save,
        "article-tags": lambda: article.tags.add(TagFactory()),
        "article-unpublish": lambda: (setattr(article, "status", "draft"), article.save()),
    }

    assert changes_version(article, actions[change], django_capture_on_commit_callbacks)


def test_other_articles_keep_their_version(django_capture_on_commit_callbacks):
    comment = CommentFactory()
    other = ArticleFactory()

    assert not changes_version(
        other, lambda: services.set_status(comment, "removed"), django_capture_on_commit_callbacks
    )


@pytest.mark.parametrize("policy", ["all", "spam"])
def test_a_held_or_spam_reply_keeps_the_version_until_approved(
    policy, settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_RULES = ["comments.moderation.Blocklist"]
    settings.COMMENTS_MODERATION = "all" if policy == "all" else "none"
    if policy == "spam":
        BlockedTermFactory(kind="word", value="casino", action="spam")
    article = ArticleFactory()

    def reply():
        reply.comment = services.submit_comment(
            article=article, name="Ada", email="a@example.org", body="Casino news"
        )

    # Nobody else sees it, so every cached page of the article stays valid.
    assert not changes_version(article, reply, django_capture_on_commit_callbacks)
    assert reply.comment.status in {"pending", "spam"}
    assert changes_version(
        article,
        lambda: services.set_status(reply.comment, "approved"),
        django_capture_on_commit_callbacks,
    )
