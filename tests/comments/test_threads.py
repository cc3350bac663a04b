import pytest

from comments import services, threads
from comments.api.serializers import PUBLIC_COLUMNS
from comments.feeds import FEED_FIELDS
from comments.models import Comment
from comments.threads import DISPLAY_FIELDS, load_thread
from tests.factories import ArticleFactory, CommentFactory, UserFactory


def test_every_public_view_loads_the_same_public_fields_of_a_comment():
    public = set(Comment.PUBLIC_FIELDS)

    assert set(DISPLAY_FIELDS) == public | {"status"}  # the layout's placeholders need it
    moments = {"created_at", "edited_at"}  # made as text
    assert set(PUBLIC_COLUMNS) == public - moments | {"article__slug"}
    assert set(FEED_FIELDS) == public | {"article__slug", "article__title"}
    assert not {"author_email", "ip_address", "user_agent"} & (
        set(DISPLAY_FIELDS) | set(PUBLIC_COLUMNS) | set(FEED_FIELDS)
    )


@pytest.fixture
def long_discussion(db, settings):
    settings.COMMENTS_PER_PAGE = 5
    article = ArticleFactory()
    roots = CommentFactory.create_batch(12, article=article)
    answers = [CommentFactory(parent=root) for root in roots]
    return article, roots, answers


def test_a_page_loads_the_text_of_its_own_comments_only(long_discussion):
    article, roots, answers = long_discussion

    thread = load_thread(article, page_number=2)

    on_page = {c.pk for c in roots[5:10]} | {c.pk for c in answers[5:10]}
    assert {entry.comment.pk for entry in thread.entries} == on_page
    assert set(thread.loaded) == on_page
    assert [entry.comment.body_html for entry in thread.entries[:2]] == [
        roots[5].body_html,
        answers[5].body_html,
    ]
    # The layout still knows where every comment is, and how many there are.
    assert thread.count == 24
    assert thread.page_of(answers[11].pk) == 3


def test_a_reply_answered_from_another_page_is_loaded_for_the_form(client, long_discussion):
    article, roots, _ = long_discussion

    response = client.get(f"{article.get_absolute_url()}?replytocom={roots[11].pk}")

    assert response.context["replying_to"].author_name == roots[11].author_name
    assert response.context["replying_to"].pk == roots[11].pk


def test_a_comment_that_changes_between_the_two_queries_is_not_shown(long_discussion, monkeypatch):
    article, roots, answers = long_discussion
    layout = threads.thread_layout

    def meanwhile(*args, **kwargs):
        thread = layout(*args, **kwargs)
        Comment.objects.filter(pk=roots[1].pk).update(status=Comment.Status.REMOVED)
        Comment.objects.filter(pk=answers[2].pk).delete()
        return thread

    monkeypatch.setattr(threads, "thread_layout", meanwhile)
    thread = load_thread(article)

    shown = {entry.comment.pk: entry for entry in thread.entries}
    assert shown[roots[1].pk].placeholder  # its text is no longer public
    assert answers[2].pk not in shown
    assert [entry.closes for entry in thread.entries if entry.comment.pk == roots[2].pk] == [
        range(0)
    ]


def test_a_pick_or_an_own_reply_unpublished_between_the_two_queries_shows_no_text(
    long_discussion, monkeypatch
):
    article, roots, _ = long_discussion
    services.pick(Comment.objects.get(pk=roots[0].pk), actor=UserFactory(is_staff=True))
    own = CommentFactory(article=article, status=Comment.Status.PENDING)
    layout = threads.thread_layout

    def meanwhile(*args, **kwargs):
        thread = layout(*args, **kwargs)
        Comment.objects.filter(pk__in=[roots[0].pk, own.pk]).update(status=Comment.Status.REMOVED)
        return thread

    monkeypatch.setattr(threads, "thread_layout", meanwhile)
    thread = load_thread(article, own_ids=frozenset({own.pk}), page_number=3, also=[roots[0].pk])

    assert thread.picks == []
    assert thread.published(roots[0].pk) is None
    [entry] = [entry for entry in thread.entries if entry.comment.pk == own.pk]
    assert entry.placeholder
    assert not entry.awaiting_moderation
    assert not entry.editable


@pytest.mark.parametrize(
    "sort", [threads.Sort.OLDEST, threads.Sort.NEWEST, threads.Sort.RECOMMENDED]
)
def test_a_comments_place_alone_is_where_the_whole_layout_puts_it(long_discussion, sort):
    article, roots, answers = long_discussion
    # Placeholders, a reader's own held replies, someone else's, a removed answer.
    Comment.objects.filter(pk=roots[3].pk).update(status=Comment.Status.REMOVED)
    Comment.objects.filter(pk=roots[7].pk).update(status=Comment.Status.PENDING)
    Comment.objects.filter(pk=answers[7].pk).update(status=Comment.Status.SPAM)
    Comment.objects.filter(pk=answers[1].pk).update(status=Comment.Status.REMOVED)
    Comment.objects.filter(pk=roots[1].pk).update(status=Comment.Status.REMOVED)
    Comment.objects.filter(pk=roots[2].pk).update(recommendations=4)
    held = CommentFactory(article=article, status=Comment.Status.PENDING)
    theirs = CommentFactory(article=article, status=Comment.Status.PENDING)
    everyone = [*roots, *answers, held, theirs]

    for own_ids in (frozenset(), frozenset({theirs.pk, answers[7].pk})):
        layout = threads.thread_layout(article, own_ids=own_ids, sort=sort)
        places = {
            c.pk: threads.page_of(article, c.pk, own_ids=own_ids, sort=sort) for c in everyone
        }

        assert places == {c.pk: layout.page_of(c.pk) for c in everyone}
        assert {
            c.pk: threads.link_to(article, c.pk, own_ids=own_ids, sort=sort) for c in everyone
        } == {c.pk: layout.link_to(c.pk) for c in everyone}
    assert places[held.pk] is None  # someone else's, held
    assert places[roots[1].pk] is None  # removed, and its answer too
    assert places[theirs.pk] is not None  # the reader's own, held
