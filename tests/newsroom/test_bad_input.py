"""Bad input through every door (the form, the API, its preview, and the
author's edit through the form and the API): never a 5xx, always a message
naming what to fix, nothing saved, and on the form the reader's text still
there."""

import json
import time
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from comments import services
from comments.forms import sign_form_timestamp
from comments.models import Comment, Revision
from tests.comments.helpers import sent_from
from tests.factories import ArticleFactory, CommentFactory, yesterday

pytestmark = pytest.mark.django_db

BODY = "Text the reader spent time on."
BIG = "x" * (1024 * 1024 + 1)


@dataclass
class Case:
    door: str  # "form", "api", "preview", "edit" (the form) or "patch" (the API)
    label: str
    status: int
    names: str | None  # the field the message is about (None: no field can be named)
    fields: dict = field(default_factory=dict)  # overrides of a valid submission
    drop: tuple = ()  # fields left out
    raw: bytes | None = None  # a body sent as it is
    content_type: str | None = None
    article: str = "open"  # open, closed, draft, unknown
    parent: str | None = None  # other-article, missing
    # The author's edit: sent from another browser or without the token; after the window.
    stranger: bool = False
    late: bool = False

    def __str__(self):
        return f"{self.door}: {self.label}"


CASES = [
    # --- The reply form ---
    Case("form", "missing name", 400, "name", drop=("name",)),
    Case("form", "empty e-mail", 400, "email", {"email": ""}),
    Case("form", "missing comment", 400, "body", drop=("body",)),
    Case("form", "whitespace-only comment", 400, "body", {"body": " \n\t \r\n "}),
    Case("form", "invalid e-mail", 400, "email", {"email": "ada@@example"}),
    Case("form", "javascript: website", 400, "url", {"url": "javascript:alert(1)"}),
    Case("form", "data: website", 400, "url", {"url": "data:text/html,<b>x</b>"}),
    Case("form", "vbscript: website", 400, "url", {"url": "vbscript:msgbox(1)"}),
    Case("form", "over-long name", 400, "name", {"name": "N" * 101}),
    Case("form", "over-long comment", 400, "body", {"body": "y" * 5001}),
    Case("form", "over-long website", 400, "url", {"url": "https://example.org/" + "p" * 200}),
    Case("form", "NUL in the comment", 400, "body", {"body": "before\x00after"}),
    Case("form", "escape character in the name", 400, "name", {"name": "Ada\x1b[31m"}),
    Case("form", "right-to-left override in the name", 400, "name", {"name": "Ada\u202egnp.exe"}),
    Case("form", "invalid UTF-8", 400, "body", raw=b"body=%FF%FEbroken"),
    Case("form", "noncharacter U+FFFF in the comment", 400, "body", {"body": "feed\uffffbreaker"}),
    Case("form", "noncharacter U+FFFE in the name", 400, "name", {"name": "Ada\ufffe"}),
    Case("form", "non-numeric parent", 400, "parent", {"parent": "12abc"}),
    Case("form", "parent from another article", 400, "parent", parent="other-article"),
    Case("form", "parent that does not exist", 400, "parent", parent="missing"),
    Case("form", "over 1 MiB", 413, None, {"body": BIG}),
    Case("form", "unknown article", 404, None, article="unknown"),
    Case("form", "unpublished article", 404, None, article="draft"),
    Case("form", "closed comments", 403, None, article="closed"),
    # --- The API ---
    Case("api", "missing name", 400, "name", drop=("name",)),
    Case("api", "empty e-mail", 400, "email", {"email": ""}),
    Case("api", "whitespace-only comment", 400, "body", {"body": "   "}),
    Case("api", "invalid e-mail", 400, "email", {"email": "not an address"}),
    Case("api", "javascript: website", 400, "url", {"url": "javascript:alert(1)"}),
    Case("api", "data: website", 400, "url", {"url": "data:text/html,x"}),
    Case("api", "over-long comment", 400, "body", {"body": "y" * 5001}),
    Case("api", "NUL in the name", 400, "name", {"name": "A\x00"}),
    Case("api", "control character in the comment", 400, "body", {"body": "bell\x07"}),
    Case("api", "number for the comment", 400, "body", {"body": 12345}),
    Case("api", "array for the name", 400, "name", {"name": ["Ada", "Bo"]}),
    Case("api", "object for the e-mail", 400, "email", {"email": {"address": "a@example.org"}}),
    Case("api", "string for notify", 400, "notify", {"notify": "perhaps"}),
    Case("api", "non-numeric parent", 400, "parent", {"parent": "abc"}),
    Case("api", "parent from another article", 400, "parent", parent="other-article"),
    Case("api", "parent that does not exist", 400, "parent", parent="missing"),
    Case("api", "invalid UTF-8", 400, None, raw=b'{"name": "A", "body": "\xff\xfe"}'),
    Case("api", "not JSON at all", 400, None, raw=b'{"name": "A",'),
    Case("api", "JSON nested 1,000 deep", 400, None, raw=b"[" * 1000 + b"]" * 1000),
    Case("api", "JSON nested 100,000 deep", 400, None, raw=b'{"a":' * 100_000),
    Case("api", "noncharacter U+FFFF in the comment", 400, "body", {"body": "x\uffff"}),
    Case("api", "noncharacter U+FDD0 in the name", 400, "name", {"name": "Ada\ufdd0"}),
    Case("api", "array instead of object", 400, "non_field_errors", raw=b"[]"),
    Case("api", "over 1 MiB", 413, None, {"body": BIG}),
    Case("api", "plain text body", 415, None, raw=b"name=A", content_type="text/plain"),
    Case("api", "unknown article", 404, None, article="unknown"),
    Case("api", "unpublished article", 404, None, article="draft"),
    Case("api", "closed comments", 403, None, article="closed"),
    # --- The API's preview: the same fields, answered the same way ---
    Case("preview", "missing name", 400, "name", drop=("name",)),
    Case("preview", "invalid e-mail", 400, "email", {"email": "not an address"}),
    Case("preview", "over-long comment", 400, "body", {"body": "y" * 5001}),
    Case("preview", "noncharacter U+FFFF in the comment", 400, "body", {"body": "x\uffff"}),
    Case("preview", "number for the comment", 400, "body", {"body": 12345}),
    Case("preview", "JSON nested 1,000 deep", 400, None, raw=b"[" * 1000 + b"]" * 1000),
    Case("preview", "not JSON at all", 400, None, raw=b'{"name": "A",'),
    Case("preview", "over 1 MiB", 413, None, {"body": BIG}),
    Case("preview", "plain text body", 415, None, raw=b"name=A", content_type="text/plain"),
    Case("preview", "unknown article", 404, None, article="unknown"),
    Case("preview", "unpublished article", 404, None, article="draft"),
    Case("preview", "closed comments", 403, None, article="closed"),
    # --- The author's edit, through the form ---
    Case("edit", "missing comment", 400, "body", drop=("body",)),
    Case("edit", "whitespace-only comment", 400, "body", {"body": " \n\t "}),
    Case("edit", "over-long comment", 400, "body", {"body": "y" * 5001}),
    Case("edit", "NUL in the comment", 400, "body", {"body": "before\x00after"}),
    Case("edit", "noncharacter U+FFFF in the comment", 400, "body", {"body": "x\uffff"}),
    Case("edit", "invalid UTF-8", 400, "body", raw=b"body=%FF%FEbroken"),
    Case("edit", "the text it already has", 400, "body", {"body": "The published text."}),
    Case("edit", "from another browser", 403, None, stranger=True),
    Case("edit", "after the window", 403, None, late=True),
    Case("edit", "unknown article", 404, None, article="unknown"),
    # --- The author's edit, through the API ---
    Case("patch", "missing comment", 400, "body", drop=("body",)),
    Case("patch", "number for the comment", 400, "body", {"body": 12345}),
    Case("patch", "over-long comment", 400, "body", {"body": "y" * 5001}),
    Case("patch", "NUL in the comment", 400, "body", {"body": "a\x00b"}),
    Case("patch", "JSON nested 1,000 deep", 400, None, raw=b"[" * 1000 + b"]" * 1000),
    Case("patch", "not JSON at all", 400, None, raw=b'{"body": "A",'),
    Case("patch", "over 1 MiB", 413, None, {"body": BIG}),
    Case("patch", "plain text body", 415, None, raw=b"body=A", content_type="text/plain"),
    Case("patch", "the text it already has", 400, "body", {"body": "The published text."}),
    Case("patch", "no edit token", 403, None, stranger=True),
    Case("patch", "after the window", 403, None, late=True),
]


def test_the_table_is_big_enough():
    assert len(CASES) >= 30
    assert {case.door for case in CASES} == {"form", "api", "preview", "edit", "patch"}


def make_article(kind):
    if kind == "unknown":
        return None
    changes = {
        "open": {},
        "closed": {"comments_close_at": yesterday()},
        "draft": {"status": "draft", "published_at": None},
    }[kind]
    return ArticleFactory(slug=f"{kind}-article", **changes)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input(client, settings, case):
    if case.door in ("edit", "patch"):
        return check_bad_edit(client, settings, case)
    settings.COMMENTS_API_BURST_RATE = None
    article = make_article(case.article)
    slug = article.slug if article else "no-such-article"
    submission = {"name": "Ada", "email": "ada@example.org", "url": "", "body": BODY}
    if case.parent == "other-article":
        submission["parent"] = CommentFactory().pk
    elif case.parent == "missing":
        submission["parent"] = 987654321
    submission.update(case.fields)
    for name in case.drop:
        submission.pop(name)
    before = Comment.objects.count()

    if case.door == "form":
        url = f"/articles/{slug}/comments/"
        stamp = sign_form_timestamp(article.pk if article else 0, time.time() - 60)
        submission.update({"timestamp": stamp, "homepage": ""})
        if case.raw is not None:
            body = (
                case.raw
                + b"&"
                + urlencode({"name": "Ada", "email": "a@example.org", "timestamp": stamp}).encode()
            )
            response = client.generic(
                "POST", url, body, content_type="application/x-www-form-urlencoded"
            )
        else:
            response = client.post(url, submission)
    else:
        url = f"/api/v1/articles/{slug}/comments/"
        if case.door == "preview":
            url += "preview/"
        if case.raw is not None:
            body, content_type = case.raw, case.content_type or "application/json"
        else:
            body, content_type = json.dumps(submission), "application/json"
        response = client.generic("POST", url, body, content_type=content_type)

    assert response.status_code == case.status, response.content[:500]
    assert Comment.objects.count() == before
    if case.door in ("api", "preview"):
        assert_names(response.json(), case.names)
    elif case.status == 400:
        errors = response.context["comment_form"].errors
        assert list(errors) == [case.names]
        html = response.content.decode()
        # Next to its field (crispy renders it there; a hidden field gets its own alert).
        assert errors[case.names][0].split("(")[0].rstrip(". ") in html.replace("&#x27;", "'")
        # The reader's text is still in the form.
        if "body" in submission and case.names != "body" and case.raw is None:
            assert f"{submission['body']}</textarea>" in html
    elif case.status == 403:
        assert f"{BODY}</textarea>" in response.content.decode()


def assert_names(message: dict, field: str | None):
    """An API error names the field at fault with sentences, or says what is wrong."""
    if field:
        assert list(message) == [field]
        assert all(isinstance(text, str) and text for text in message[field])
    else:
        assert message["detail"]


def check_bad_edit(client, settings, case):
    """The author's edit of a published reply: refused, nothing changed."""
    settings.COMMENTS_API_BURST_RATE = None
    article = make_article("open")
    comment = services.submit_comment(
        article=article,
        name="Ada",
        email="ada@example.org",
        body="The published text.",
        with_edit_token=True,
    )
    services.set_status(comment, Comment.Status.APPROVED)
    if case.late:
        Comment.objects.filter(pk=comment.pk).update(
            created_at=timezone.now() - timedelta(minutes=settings.COMMENTS_EDIT_MINUTES + 1)
        )
    slug = article.slug if case.article != "unknown" else "no-such-article"
    submission = {"body": BODY, **case.fields}
    for name in case.drop:
        submission.pop(name)

    if case.door == "edit":
        if not case.stranger:
            sent_from(client, comment)
        url = f"/articles/{slug}/comments/{comment.pk}/edit/"
        if case.raw is not None:
            response = client.generic(
                "POST", url, case.raw, content_type="application/x-www-form-urlencoded"
            )
        else:
            response = client.post(url, submission)
    else:
        headers = {} if case.stranger else {"HTTP_X_EDIT_TOKEN": comment.edit_token}
        if case.raw is not None:
            body, content_type = case.raw, case.content_type or "application/json"
        else:
            body, content_type = json.dumps(submission), "application/json"
        response = client.generic(
            "PATCH", f"/api/v1/comments/{comment.pk}/", body, content_type=content_type, **headers
        )

    assert response.status_code == case.status, response.content[:500]
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at) == ("The published text.", None)
    assert not Revision.objects.exists()
    if case.door == "patch":
        assert_names(response.json(), case.names)
    elif case.status == 400:
        errors = response.context["form"].errors
        assert list(errors) == [case.names]
        assert errors[case.names][0].rstrip(".") in response.content.decode().replace("&#x27;", "'")
    elif case.status == 403:
        html = response.content.decode()
        assert "This reply cannot be changed" in html
        assert f"{BODY}</textarea>" in html  # what the reader wrote is given back


def test_non_numeric_ids_in_addresses_are_404(client):
    assert client.get("/api/v1/comments/abc/").status_code == 404
    assert client.get("/articles/x/comments/abc/").status_code == 404
    assert client.post("/api/v1/moderation/comments/abc/approve/").status_code == 404
