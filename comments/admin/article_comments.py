"""One article's comments as a file (CSV or JSON), from the article's page in the admin.

The articles app never imports this one (plumbing <- articles <- comments), so
its ArticleAdmin cannot link to comments. Instead this module extends it, as
sites extend Django's own UserAdmin: a subclass adds the two downloads and
their links, and takes the original's place on the admin site. Importing
articles.admin here first makes sure there is a registration to replace,
whatever order the admin modules load in.

Both files hold e-mail and IP addresses: only those who may view comments get
them, and nothing keeps a copy on the way (Cache-Control: private, no-store).
"""

import csv
import logging
from datetime import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from articles.admin import ArticleAdmin as BaseArticleAdmin
from articles.models import Article

from ..models import Comment
from ..moving.export import CHUNK_SIZE, dumps

logger = logging.getLogger(__name__)

COLUMNS = (
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
)
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}

# What makes a spreadsheet read a cell as a formula (or, for tab and carriage
# return, what some of them skip before looking): a reader's "=HYPERLINK(...)"
# must open as text, not run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Lines:
    """Where csv.writer puts a row: handed straight back, to be streamed."""

    def write(self, line: str) -> str:
        return line


def _comments(article: Article):
    return (
        Comment.objects.for_article(article)
        .order_by("created_at", "id")
        .values_list(*COLUMNS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def csv_lines(article: Article):
    writer = csv.writer(_Lines())
    yield writer.writerow(COLUMNS)
    for values in _comments(article):
        yield writer.writerow([_cell(value) for value in values])


def json_pieces(article: Article):
    about = {"id": article.pk, "slug": article.slug, "title": article.title}
    yield f'{{\n"article": {dumps(about)},\n"exported_at": {dumps(timezone.now())},\n"comments": ['
    for number, values in enumerate(_comments(article)):
        yield f"{',' if number else ''}\n{dumps(dict(zip(COLUMNS, values, strict=True)))}"
    yield "\n]\n}\n"


class ArticleAdmin(BaseArticleAdmin):
    change_form_template = "admin/comments/article_change_form.html"

    def get_urls(self):
        download = self.admin_site.admin_view(self.comments_download_view)
        return [
            *(
                path(
                    f"<int:article_id>/comments.{kind}",
                    download,
                    {"kind": kind},
                    name=f"articles_article_comments_{kind}",
                )
                for kind in FORMATS
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.user.has_perm("comments.view_comment"):
            context["comment_downloads"] = [
                (
                    f"Comments as {kind.upper()}",
                    reverse(f"admin:articles_article_comments_{kind}", args=[obj.pk]),
                )
                for kind in FORMATS
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def comments_download_view(self, request, article_id, kind):
        """Every comment of the article, whatever its status, oldest first."""
        if not request.user.has_perm("comments.view_comment"):
            raise PermissionDenied
        article = get_object_or_404(Article.objects.only("id", "slug", "title"), pk=article_id)
        pieces = csv_lines(article) if kind == "csv" else json_pieces(article)
        response = StreamingHttpResponse(pieces, content_type=FORMATS[kind])
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"comments-{article.slug}.{kind}"
        )
        response["Cache-Control"] = "private, no-store"
        logger.info(
            "Comments of an article downloaded",
            extra={"article": article.pk, "format": kind, "by": request.user.pk},
        )
        return response


admin.site.unregister(Article)
admin.site.register(Article, ArticleAdmin)
