import logging
from functools import partial

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models.functions import Now
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from articles.models import Article
from comments.api.views import article_comment_rows
from comments.models import Comment
from comments.moderation import SAME_TEXT
from plumbing.db import PreparedIncrement, PreparedInsert, PreparedQuery, after_commit
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def by_author(article, email):
    return (
        Comment.objects.filter(article_id=article, author_email=email)
        .values_list("pk", "author_name")
        .order_by("pk")
    )


def test_prepared_query_binds_new_values_on_each_run(django_assert_num_queries):
    first, second = ArticleFactory(), ArticleFactory()
    ada = CommentFactory(article=first, author_email="ada@example.org", author_name="Ada")
    CommentFactory(article=first, author_email="bo@example.org")
    bo = CommentFactory(article=second, author_email="bo@example.org", author_name="Bo")
    query = PreparedQuery(by_author, article=1, email="")

    assert query.rows(article=first.pk, email="ada@example.org") == [(ada.pk, "Ada")]
    with django_assert_num_queries(1):
        assert query.rows(article=second.pk, email="bo@example.org") == [(bo.pk, "Bo")]
    assert query.rows(article=second.pk, email="ada@example.org") == []


def test_prepared_query_values_are_parameters_not_sql():
    CommentFactory(author_email="ada@example.org")
    query = PreparedQuery(by_author, article=1, email="")

    assert query.rows(article=1, email="' OR '1'='1") == []


def test_prepared_query_refuses_a_build_that_depends_on_the_moment():
    def live(slug):
        return Article.objects.filter(slug=slug, published_at__lte=timezone.now()).values_list("pk")

    with pytest.raises(ImproperlyConfigured, match="change between builds"):
        PreparedQuery(live, slug="").rows(slug="news")


def test_prepared_query_refuses_a_parameter_it_cannot_bind():
    def containing(text):
        return Comment.objects.filter(body__contains=text).values_list("pk")

    with pytest.raises(ImproperlyConfigured, match="exact match"):
        PreparedQuery(containing, text="").rows(text="spam")


def comment_values(comment):
    values = Comment.objects.filter(pk=comment.pk).values().get()
    del values["id"]
    return values


def test_prepared_insert_stores_what_save_would(django_assert_num_queries):
    article = ArticleFactory()
    fields = {
        "article": article,
        "author_name": "Ada",
        "author_email": "ada@example.org",
        "body": "Same  TEXT",
        "body_html": "<p>Same TEXT</p>",
        "moderation_reasons": [{"rule": "policy", "verdict": "hold", "detail": "Held."}],
        "ip_address": "2001:db8::1",
        "created_at": timezone.now(),
    }
    saved = Comment(**fields)
    saved.save()
    inserted = Comment(**fields)

    with django_assert_num_queries(1):
        PreparedInsert(Comment).save(inserted)

    assert inserted.pk > saved.pk
    assert not inserted._state.adding
    assert inserted.fingerprint == saved.fingerprint != ""
    assert comment_values(inserted) == comment_values(saved)


def test_prepared_insert_sends_the_save_signals():
    seen = []

    def record(sender, instance, **kwargs):
        seen.append((kwargs.get("created"), instance.pk is None))

    pre_save.connect(record, sender=Comment)
    post_save.connect(record, sender=Comment)
    try:
        PreparedInsert(Comment).save(CommentFactory.build(article=ArticleFactory()))
    finally:
        pre_save.disconnect(record, sender=Comment)
        post_save.disconnect(record, sender=Comment)

    assert seen == [(None, True), (True, False)]


def test_prepared_insert_refuses_a_model_with_its_own_save():
    with pytest.raises(ImproperlyConfigured, match="own save"):
        PreparedInsert(Article)


def test_prepared_insert_refuses_expressions():
    comment = CommentFactory.build(article=ArticleFactory(), created_at=Now())

    with pytest.raises(ValueError, match="expressions"):
        PreparedInsert(Comment).save(comment)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("query", "index", "in_index_order"),
    [
        (
            lambda article: article_comment_rows(article).order_by("created_at", "id")[:201],
            "comment_thread_idx",
            True,
        ),
        (
            lambda article: SAME_TEXT.build(
                article=article, email="ada@example.org", text_fingerprint="0" * 32
            ),
            "comment_duplicate_idx",
            False,
        ),
    ],
    ids=["article comments", "duplicate look-up"],
)
def test_the_hottest_reads_use_their_index(query, index, in_index_order):
    # Enough rows over enough articles that the planner's choice is the one a
    # real table gets, whatever earlier tests left in its statistics.
    articles = ArticleFactory.create_batch(50)
    now = timezone.now()
    Comment.objects.bulk_create(
        Comment(
            article=articles[n % 50],
            author_name="Reader",
            author_email=f"reader{n}@example.org",
            body=f"Reply {n}",
            body_html=f"<p>Reply {n}</p>",
            status=Comment.Status.APPROVED,
            created_at=now,
            moderated_at=now,
        )
        for n in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            # Ask which index a bigger table uses, not whether a scan would do; nor
            # whether sorting a hundred rows would (a thread of thousands is read in
            # index order). Rolled-back tests leave indexes bloated, which skews it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            if in_index_order:
                cursor.execute("SET LOCAL enable_sort = off")

    plan = query(articles[0].pk).explain()
    assert index in plan, plan


# serialized_rollback: the flush after a transactional test would otherwise make the
# content types again, in another order than the migrations did, under other ids.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_follow_up_is_logged_and_the_next_one_still_runs(caplog):
    done = []

    def fails():
        raise ConnectionRefusedError("down")

    with caplog.at_level(logging.ERROR, logger="plumbing.db"), transaction.atomic():
        after_commit(fails)
        after_commit(partial(done.append, "second"))  # no __qualname__ of its own

    assert done == ["second"]
    (record,) = caplog.records
    assert record.getMessage() == "Work after a commit failed"
    assert record.work.endswith("fails")


def test_prepared_increment_moves_one_rows_counter_in_one_query(django_assert_num_queries):
    first, second = CommentFactory.create_batch(2)
    add = PreparedIncrement(Comment, "recommendations")

    with django_assert_num_queries(3):
        changed = [add.run(first.pk, 1), add.run(first.pk, 1), add.run(first.pk, -1)]

    assert changed == [1, 1, 1]
    assert add.run(second.pk + 1000, 1) == 0  # no such row: nothing changes
    counts = dict(Comment.objects.values_list("pk", "recommendations"))
    assert counts == {first.pk: 1, second.pk: 0}


@pytest.mark.django_db
def test_a_prepared_insert_saves_many_rows_each_with_its_key():
    article = ArticleFactory()
    rows = [
        Comment(article=article, author_name=f"N{n}", body=f"Text {n}", body_html="<p>x</p>")
        for n in range(3)
    ]

    PreparedInsert(Comment).save_many(rows)

    assert all(row.pk and not row._state.adding for row in rows)
    stored = Comment.objects.in_bulk([row.pk for row in rows])
    assert [stored[row.pk].author_name for row in rows] == ["N0", "N1", "N2"]
    # Derived fields are made as on any save.
    assert stored[rows[0].pk].fingerprint == rows[0].fingerprint != ""
