"""Leaving Newsroom: `manage.py export_json` writes everything, private fields
included, as one JSON document in a fixed number of queries; and a moderator
downloads one article's comments from its page in the admin."""

import csv
import io
import json
import os
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article, Redirect
from comments.models import BlockedTerm, Comment, ModerationEvent, Revision
from comments.moving.export import write_export
from tests.factories import (
    ArticleFactory,
    BlockedTermFactory,
    CommentFactory,
    SectionFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET_DIGEST = "d1gest-of-an-edit-token-that-must-stay-home"
# One query per list of the document, and one for the articles' tags.
EXPORT_QUERIES = 9


@pytest.fixture
def exported(tmp_path):
    """Run the export to a file; the document it wrote."""

    def exported() -> dict:
        target = tmp_path / "backup.json"
        call_command("export_json", "--output", str(target), stderr=io.StringIO())
        return json.loads(target.read_text(encoding="utf-8"))

    return exported


@pytest.fixture
def newsroom():
    """One of everything the export holds, with the private fields filled in."""
    editor = UserFactory(username="editor")
    moderator = UserFactory(username="moderator")
    science = SectionFactory(name="Science", description="Stars and cells.")
    tags = [TagFactory(name="Space"), TagFactory(name="Biology")]
    article = ArticleFactory(
        title="Comets", section=science, author=editor, tags=tags, import_key="wp:site:post:7"
    )
    untagged = ArticleFactory(title="Untagged", section=science)
    comment = CommentFactory(
        article=article,
        author_name="Ada",
        author_email="ada@example.com",
        author_url="https://ada.example",
        ip_address="203.0.113.9",
        user_agent="Mozilla/5.0 AdaBrowser",
        notify_on_reply=True,
        import_key="wp:site:comment:3",
        edit_token_digest=SECRET_DIGEST,
        moderated_by=moderator,
        created_at=datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC),
    )
    reply = CommentFactory(article=article, parent=comment, status=Comment.Status.PENDING)
    event = ModerationEvent.objects.create(
        comment=comment, actor=moderator, from_status="pending", to_status="approved"
    )
    revision = Revision.objects.create(
        comment=comment, state=Revision.State.EARLIER, body="Frist", body_html="<p>Frist</p>"
    )
    term = BlockedTermFactory(value="casino", created_by=moderator)
    redirect = Redirect.objects.create(old_path="/2018/comets/", article=article)
    return {
        "section": science,
        "tags": tags,
        "article": article,
        "untagged": untagged,
        "comment": comment,
        "reply": reply,
        "event": event,
        "revision": revision,
        "term": term,
        "redirect": redirect,
    }


def by_id(rows: list[dict]) -> dict[int, dict]:
    return {row["id"]: row for row in rows}


def test_export_is_one_json_document_of_a_fixed_shape(exported, newsroom, settings):
    document = exported()

    assert list(document) == [
        "format",
        "version",
        "exported_at",
        "site",
        "sections",
        "tags",
        "articles",
        "comments",
        "moderation_events",
        "revisions",
        "blocked_terms",
        "redirects",
    ]
    assert (document["format"], document["version"]) == ("newsroom-export", 1)
    assert document["site"] == settings.SITE_URL
    assert datetime.fromisoformat(document["exported_at"]).tzinfo is not None


def test_export_holds_every_row_of_each_kind(exported, newsroom):
    document = exported()

    assert [row["id"] for row in document["sections"]] == [newsroom["section"].pk]
    assert [row["id"] for row in document["tags"]] == sorted(t.pk for t in newsroom["tags"])
    assert [row["id"] for row in document["articles"]] == sorted(
        [newsroom["article"].pk, newsroom["untagged"].pk]
    )
    assert [row["id"] for row in document["comments"]] == [
        newsroom["comment"].pk,
        newsroom["reply"].pk,
    ]
    assert [row["id"] for row in document["moderation_events"]] == [newsroom["event"].pk]
    assert [row["id"] for row in document["revisions"]] == [newsroom["revision"].pk]
    assert [row["id"] for row in document["blocked_terms"]] == [newsroom["term"].pk]
    assert [row["id"] for row in document["redirects"]] == [newsroom["redirect"].pk]


def test_export_gives_articles_their_tags_section_and_author(exported, newsroom):
    articles = by_id(exported()["articles"])
    article, untagged = newsroom["article"], newsroom["untagged"]

    assert articles[article.pk]["tags"] == sorted(t.pk for t in newsroom["tags"])
    assert articles[untagged.pk]["tags"] == []
    assert articles[article.pk]["section"] == newsroom["section"].pk
    assert articles[article.pk]["author"] == "editor"
    assert articles[article.pk]["import_key"] == "wp:site:post:7"
    assert articles[article.pk]["slug"] == "comets"
    assert set(articles[article.pk]) == {f.name for f in Article._meta.concrete_fields} | {"tags"}


def test_export_keeps_comments_private_fields(exported, newsroom):
    comment = by_id(exported()["comments"])[newsroom["comment"].pk]

    assert {
        key: comment[key]
        for key in (
            "article",
            "parent",
            "author_email",
            "ip_address",
            "ip_network",
            "user_agent",
            "notify_on_reply",
            "import_key",
            "purged_at",
            "erased_at",
            "moderated_by",
            "created_at",
        )
    } == {
        "article": newsroom["article"].pk,
        "parent": None,
        "author_email": "ada@example.com",
        "ip_address": "203.0.113.9",
        "ip_network": "203.0.113.0/24",
        "user_agent": "Mozilla/5.0 AdaBrowser",
        "notify_on_reply": True,
        "import_key": "wp:site:comment:3",
        "purged_at": None,
        "erased_at": None,
        "moderated_by": "moderator",
        # In full, to the microsecond.
        "created_at": "2024-05-01T12:30:15.123456+00:00",
    }
    assert set(comment) == {f.name for f in Comment._meta.concrete_fields} - {"edit_token_digest"}


def test_export_leaves_out_edit_tokens(exported, newsroom):
    out = io.StringIO()

    write_export(out)

    assert SECRET_DIGEST not in out.getvalue()
    assert "edit_token_digest" not in out.getvalue()


def test_export_refers_to_users_by_name(exported, newsroom):
    document = exported()

    assert document["moderation_events"][0]["actor"] == "moderator"
    assert document["revisions"][0]["changed_by"] is None
    assert document["blocked_terms"][0]["created_by"] == "moderator"


def test_export_keeps_the_ids_of_one_discussion(exported):
    article = ArticleFactory()
    first = CommentFactory(article=article)
    answer = CommentFactory(article=article, parent=first)
    other = CommentFactory(article=article, status=Comment.Status.SPAM)

    comments = exported()["comments"]

    assert [(row["id"], row["article"], row["parent"], row["status"]) for row in comments] == [
        (first.pk, article.pk, None, "approved"),
        (answer.pk, article.pk, first.pk, "approved"),
        (other.pk, article.pk, None, "spam"),
    ]


@pytest.mark.parametrize("replies", [5, 50])
def test_export_queries_do_not_grow_with_the_comments(replies, django_assert_num_queries):
    articles = [ArticleFactory(tags=[TagFactory()]) for _ in range(3)]
    for number in range(replies):
        comment = CommentFactory(article=articles[number % 3])
        ModerationEvent.objects.create(comment=comment, to_status="approved")
        Revision.objects.create(comment=comment, state="earlier", body="a", body_html="a")

    with django_assert_num_queries(EXPORT_QUERIES):
        write_export(io.StringIO())


def test_export_to_a_file_readable_by_its_owner_alone(newsroom, tmp_path):
    target = tmp_path / "backup.json"
    err = io.StringIO()

    call_command("export_json", "--output", str(target), stderr=err)

    assert json.loads(target.read_text(encoding="utf-8"))["comments"][0]["author_name"] == "Ada"
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert "2 comments" in err.getvalue()
    assert list(tmp_path.iterdir()) == [target]


def test_export_to_an_unwritable_place_says_so(tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_json", "--output", str(tmp_path / "missing" / "backup.json"))


def test_export_of_an_empty_site_is_a_valid_document(exported):
    document = exported()

    assert document["articles"] == document["comments"] == document["redirects"] == []


# --- One article's comments in the admin ------------------------------------------


def download(client, article, kind):
    return client.get(reverse(f"admin:articles_article_comments_{kind}", args=[article.pk]))


def content(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response))))


@pytest.fixture
def discussion():
    article = ArticleFactory(slug="comets")
    first = CommentFactory(
        article=article,
        author_name="Ada",
        author_email="ada@example.com",
        author_url="https://ada.example",
        ip_address="203.0.113.9",
        body="Lovely.",
        created_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    )
    held = CommentFactory(
        article=article,
        parent=first,
        status=Comment.Status.PENDING,
        author_name="Bo",
        author_email="bo@example.com",
        ip_address=None,
        body="Indeed.",
        created_at=datetime(2024, 5, 2, 8, 0, tzinfo=UTC),
    )
    CommentFactory(body="Somewhere else entirely.")
    return article, first, held


def test_moderator_downloads_an_articles_comments_as_csv(client, moderator, discussion):
    article, first, held = discussion
    client.force_login(moderator)

    response = download(client, article, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="comments-comets.csv"'
    assert csv_rows(response) == [
        [
            "id",
            "parent",
            "status",
            "created_at",
            "author_name",
            "author_email",
            "author_url",
            "ip_address",
            "body",
            "moderated_at",
        ],
        [
            str(first.pk),
            "",
            "approved",
            "2024-05-01T12:00:00+00:00",
            "Ada",
            "ada@example.com",
            "https://ada.example",
            "203.0.113.9",
            "Lovely.",
            "2024-05-01T12:00:00+00:00",
        ],
        [
            str(held.pk),
            str(first.pk),
            "pending",
            "2024-05-02T08:00:00+00:00",
            "Bo",
            "bo@example.com",
            "",
            "",
            "Indeed.",
            "",
        ],
    ]


def test_moderator_downloads_an_articles_comments_as_json(client, moderator, discussion):
    article, first, held = discussion
    client.force_login(moderator)

    response = download(client, article, "json")
    document = json.loads(content(response))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="comments-comets.json"'
    assert document["article"] == {"id": article.pk, "slug": "comets", "title": article.title}
    assert document["comments"] == [
        {
            "id": first.pk,
            "parent": None,
            "status": "approved",
            "created_at": "2024-05-01T12:00:00+00:00",
            "author_name": "Ada",
            "author_email": "ada@example.com",
            "author_url": "https://ada.example",
            "ip_address": "203.0.113.9",
            "body": "Lovely.",
            "moderated_at": "2024-05-01T12:00:00+00:00",
        },
        {
            "id": held.pk,
            "parent": first.pk,
            "status": "pending",
            "created_at": "2024-05-02T08:00:00+00:00",
            "author_name": "Bo",
            "author_email": "bo@example.com",
            "author_url": "",
            "ip_address": None,
            "body": "Indeed.",
            "moderated_at": None,
        },
    ]


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_comment_downloads_are_never_kept_on_the_way(client, moderator, discussion, kind):
    client.force_login(moderator)

    cache_control = download(client, discussion[0], kind)["Cache-Control"]

    assert {"private", "no-store"} <= {part.strip() for part in cache_control.split(",")}


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_comment_downloads_refused_to_staff_who_may_not_view_comments(client, discussion, kind):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)

    assert download(client, discussion[0], kind).status_code == 403


def test_comment_downloads_send_strangers_to_the_login(client, discussion):
    client.force_login(UserFactory(is_staff=False))

    response = download(client, discussion[0], "csv")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_comment_download_of_a_missing_article_is_not_found(client, moderator):
    client.force_login(moderator)

    response = client.get(reverse("admin:articles_article_comments_csv", args=[999_999]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("field", "written", "saved"),
    [
        (
            "body",
            '=HYPERLINK("https://evil.example","Click")',
            '\'=HYPERLINK("https://evil.example","Click")',
        ),
        ("body", "+1+1", "'+1+1"),
        ("body", "-2+3", "'-2+3"),
        ("body", "@SUM(A1)", "'@SUM(A1)"),
        ("body", "\t=1", "'\t=1"),
        ("body", "\r=1", "'\r=1"),
        ("author_name", "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("body", "A plain 1 = 1", "A plain 1 = 1"),
    ],
)
def test_csv_cells_never_start_a_formula(client, moderator, field, written, saved):
    article = ArticleFactory()
    CommentFactory(article=article, **{field: written})
    client.force_login(moderator)

    header, row = csv_rows(download(client, article, "csv"))

    assert row[header.index(field)] == saved


def test_json_download_keeps_the_text_as_written(client, moderator):
    article = ArticleFactory()
    CommentFactory(article=article, body="=HYPERLINK(1)")
    client.force_login(moderator)

    document = json.loads(content(download(client, article, "json")))

    assert document["comments"][0]["body"] == "=HYPERLINK(1)"


def test_article_page_links_to_its_comment_downloads(admin_client, discussion):
    article = discussion[0]

    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert page.status_code == 200
    for kind in ("csv", "json"):
        assert reverse(f"admin:articles_article_comments_{kind}", args=[article.pk]) in (
            page.content.decode()
        )


def test_article_page_shows_no_downloads_to_editors(client, discussion):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    article = discussion[0]

    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert page.status_code == 200
    assert "comments.csv" not in page.content.decode()


def test_blocked_terms_are_exported_with_their_kind_and_action(exported):
    BlockedTermFactory(kind=BlockedTerm.Kind.IP, value="203.0.113.0/24", action="spam")

    terms = exported()["blocked_terms"]

    assert [(t["kind"], t["value"], t["action"]) for t in terms] == [
        ("ip", "203.0.113.0/24", "spam")
    ]
